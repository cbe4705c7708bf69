# bash completion for segrt: commands, then the options of the command
# (both read from the program's own help, so they never drift from it),
# then file names (scripts, stores, CSV files).
_segrt() {
    local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]:-}
    if [ "$COMP_CWORD" -eq 1 ]; then
        local cmds
        cmds=$(segrt help 2>/dev/null | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
        mapfile -t COMPREPLY < <(compgen -W "$cmds help --help --version" -- "$cur")
        return
    fi
    if [ "$cmd" = help ] && [ "$COMP_CWORD" -eq 2 ]; then
        mapfile -t COMPREPLY < <(compgen -W "$(segrt help 2>/dev/null |
            awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')" -- "$cur")
        return
    fi
    if [[ $cur == -* ]]; then
        local opts
        opts=$(segrt help "$cmd" 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)
        mapfile -t COMPREPLY < <(compgen -W "$opts --db --now --actor --help" -- "$cur")
        return
    fi
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -o filenames -F _segrt segrt
