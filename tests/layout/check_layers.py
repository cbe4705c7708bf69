#!/usr/bin/env python3
"""check_layers.py — the layering rules of core/ and cli/, read off the sources.

Each folder core/<layer>/ has a README.md with a line
    May include: store, util
naming the folders its files may include from (besides itself; "nothing"
for none). This script checks that
  1. every #include "<folder>/..." in core/ and cli/ is allowed by the
     including folder's README (cli/ may include no core/ header at all:
     it uses the public API in include/);
  2. the declared graph, and so the real one, has no cycle;
  3. Lua's C API (<lua.h>, <lauxlib.h>, <lualib.h>) is included only under
     core/lua/ and cli/repl/.
Usage: check_layers.py [REPO]   (default: the repository holding this file).
Exit 0 when all hold; 1 with one line per violation otherwise.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]', re.M)
LUA_HEADERS = {"lua.h", "lauxlib.h", "lualib.h"}


def sources(top):
    for root, _, files in os.walk(top):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(root, f)


def declared_rules(core, errors):
    rules = {}
    for layer in sorted(os.listdir(core)):
        path = os.path.join(core, layer)
        if not os.path.isdir(path):
            continue
        readme = os.path.join(path, "README.md")
        try:
            text = open(readme, encoding="utf-8").read()
        except OSError:
            errors.append(f"{os.path.relpath(readme, os.path.dirname(core))}: missing (every layer says what it may include)")
            continue
        m = re.search(r"^May include:\s*(.*)$", text, re.M)
        if not m:
            errors.append(f"{os.path.relpath(readme, os.path.dirname(core))}: no 'May include:' line")
            continue
        names = [n.strip() for n in m.group(1).rstrip(".").split(",") if n.strip()]
        rules[layer] = set() if names == ["nothing"] else set(names)
    for layer, allowed in rules.items():
        for other in sorted(allowed - set(rules)):
            errors.append(f"core/{layer}/README.md: may include '{other}', which is no layer")
    return rules


def find_cycle(graph):
    """A list of layers forming a cycle in graph (layer -> set of layers), or None."""
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                cycle = visit(m)
                if cycle:
                    return cycle
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            cycle = visit(n)
            if cycle:
                return cycle
    return None


def main():
    repo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                           else os.path.join(os.path.dirname(__file__), "..", ".."))
    core, cli = os.path.join(repo, "core"), os.path.join(repo, "cli")
    errors = []
    rules = declared_rules(core, errors)
    real = {}
    for top, owner in ((core, None), (cli, "cli")):
        for path in sources(top):
            rel = os.path.relpath(path, repo)
            layer = owner or rel.split(os.sep)[1]
            text = open(path, encoding="utf-8").read()
            for m in INCLUDE.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                kind, name = m.groups()
                if kind == "<" and name in LUA_HEADERS:
                    if not (rel.startswith(os.path.join("core", "lua") + os.sep)
                            or rel.startswith(os.path.join("cli", "repl") + os.sep)):
                        errors.append(f"{rel}:{line}: includes <{name}>: Lua's C API belongs to core/lua/")
                    continue
                if kind != '"' or "/" not in name:
                    continue
                target = name.split("/")[0]
                if target not in rules:  # a public header (segrt/...) or the CLI's own
                    continue
                if owner == "cli":
                    errors.append(f"{rel}:{line}: includes \"{name}\": the CLI uses the public API only")
                    continue
                if target == layer:
                    continue
                real.setdefault(layer, set()).add(target)
                if layer in rules and target not in rules[layer]:
                    errors.append(f"{rel}:{line}: includes \"{name}\", but core/{layer}/README.md "
                                  f"does not allow '{target}'")
    for graph, what in ((rules, "declared in the READMEs"), (real, "of the includes")):
        cycle = find_cycle(graph)
        if cycle:
            errors.append(f"the layer graph {what} has a cycle: {' -> '.join(cycle)}")
    for e in errors:
        print(e)
    if not errors:
        print(f"layers ok: {len(rules)} layers, "
              f"{sum(len(v) for v in real.values())} include edges between them, no cycle")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
