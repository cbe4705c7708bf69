#!/bin/sh
# manpage.sh SEGRT OUT — write segrt(1) in roff from the built program's own
# help: `segrt help` (the commands) and `segrt help CMD` for each, so the
# page says what the program says. Run by the build (CMakeLists.txt).
set -eu
segrt=$1 out=$2
esc() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"; }
version=$("$segrt" --version | awk '{ print $2 }')
{
    printf '.TH SEGRT 1 "" "segrt %s" "User Commands"\n' "$version"
    printf '.SH NAME\nsegrt \\- Lua-scriptable customer segmentation on an LMDB store\n'
    printf '.SH SYNOPSIS\n.B segrt\n.I COMMAND\n[\\fIOPTIONS\\fR]\n'
    printf '.SH DESCRIPTION\n.nf\n'
    "$segrt" help | sed -n '3,/^commands:/p' | sed '$d' | esc
    printf '.fi\n.SH COMMANDS\n'
    "$segrt" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' |
        while read -r cmd; do
            printf '.SS %s\n.nf\n' "$cmd"
            "$segrt" help "$cmd" | esc
            printf '.fi\n'
        done
    printf '.SH ENVIRONMENT\n.TP\n.B SEGRT_DB\nthe store when --db is not given (else ./segrt.db)\n'
    printf '.SH SEE ALSO\nThe README of the segrt sources.\n'
} >"$out.tmp"
mv "$out.tmp" "$out"
