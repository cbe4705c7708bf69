#!/usr/bin/env python3
"""public_headers.py — the public headers stand alone and are documented.

For every header under the include directories given (segrt.h, segrt/*.h,
the generated segrt/version.h):
  - a translation unit that includes only that header, twice (its guard),
    compiles with -Wall -Wextra -Werror -pedantic -std=c11;
  - every SEGRT_API function and every callback typedef has a Doxygen
    comment with an @param per parameter and, unless it returns void, an
    @return;
  - it refers to no document outside the repository.
First a header that is not self-contained must fail to compile, so that the
check itself is checked.

Usage: public_headers.py CC INCLUDE_DIR... [-- EXTRA_CFLAGS...]
(the extra flags find <lua.h> for segrt/lua.h).
"""
import os
import re
import subprocess
import sys
import tempfile

FLAGS = ["-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-pedantic", "-std=c11"]
OUTSIDE = re.compile(r"SPEC|DESIGN|queries\.md|\.\./shared|STYLE|[Ii]ssue \d")
FUNCTION = re.compile(r"SEGRT_API\s+([^;(]*?)\b(segrt_\w+)\s*\(([^;]*?)\)\s*;", re.S)
CALLBACK = re.compile(r"typedef\s+([^;(]*?)\(\s*\*\s*(segrt_\w+)\s*\)\s*\(([^;]*?)\)\s*;", re.S)


def compiles(cc, include_dirs, extra, header, workdir):
    """Whether a file including only header (twice) compiles; the errors."""
    src = os.path.join(workdir, "alone.c")
    with open(src, "w") as f:
        f.write('#include "%s"\n#include "%s"\n' % (header, header))
    args = [cc] + FLAGS + ["-I" + d for d in include_dirs] + extra + [src]
    run = subprocess.run(args, capture_output=True, text=True)
    return run.returncode == 0, run.stderr


def split_params(text):
    """The parameters of a prototype, split at the commas outside parentheses."""
    params, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            params.append(cur.strip())
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    if cur.strip():
        params.append(cur.strip())
    return [] if params == ["void"] else params


def param_name(param):
    """The name a parameter declares: fn of int (*fn)(...), out of char out[21]."""
    pointer = re.match(r"[^(]*\(\s*\*\s*(\w+)\s*\)", param)
    if pointer:
        return pointer.group(1)
    return re.findall(r"\w+", re.sub(r"\[[^]]*\]", "", param))[-1]


def doc_problems(path):
    """What the header's documentation lacks, one line per problem."""
    text = open(path).read()
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        if OUTSIDE.search(line):
            problems.append("%s:%d: refers outside the repository: %s" % (path, n, line.strip()))
    decls = [m for pattern in (FUNCTION, CALLBACK) for m in pattern.finditer(text)]
    for m in decls:
        ret, name, params = m.group(1).strip(), m.group(2), m.group(3)
        before = text[:m.start()].rstrip()
        if not before.endswith("*/") or before.rfind("/**") < before.rfind("*/", 0, -2):
            problems.append("%s: %s has no /** */ comment" % (path, name))
            continue
        doc = before[before.rfind("/**"):]
        for p in split_params(params):
            if not re.search(r"@param\s+%s\b" % re.escape(param_name(p)), doc):
                problems.append("%s: %s: no @param %s" % (path, name, param_name(p)))
        if ret != "void" and "@return" not in doc:
            problems.append("%s: %s: no @return" % (path, name))
    if text.count("SEGRT_API") - text.count("define SEGRT_API") != len(FUNCTION.findall(text)):
        problems.append("%s: a SEGRT_API declaration this check cannot read" % path)
    return problems


def main():
    args = sys.argv[1:]
    extra = args[args.index("--") + 1:] if "--" in args else []
    args = args[:args.index("--")] if "--" in args else args
    cc, include_dirs = args[0], args[1:]
    headers = []
    for d in include_dirs:
        for root, _, files in os.walk(d):
            for f in sorted(files):
                if f.endswith(".h"):
                    full = os.path.join(root, f)
                    headers.append((os.path.relpath(full, d), full))
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "segrt"))
        with open(os.path.join(tmp, "segrt", "broken.h"), "w") as f:
            f.write("uint64_t segrt_broken(void);\n")  # without <stdint.h>
        ok, _ = compiles(cc, [tmp], extra, "segrt/broken.h", tmp)
        if ok:
            print("FAIL: a header that is not self-contained compiled: the check checks nothing")
            return 1
        for rel, full in headers:
            ok, errors = compiles(cc, include_dirs, extra, rel, tmp)
            problems = [] if ok else ["%s does not compile alone:\n%s" % (rel, errors)]
            problems += doc_problems(full)
            for p in problems:
                print("FAIL: " + p)
            failed += bool(problems)
    print("%d passed, %d failed" % (len(headers) - failed, failed))
    return 1 if failed or not headers else 0


if __name__ == "__main__":
    sys.exit(main())
