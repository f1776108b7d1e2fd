#!/usr/bin/env python3
"""layers.py [--root DIR] [--build DIR]: the architecture rules of
docs/DESIGN.md, checked over the tree at DIR (default: this script's
project), with the objects of the build DIR (default: build, below the
root).

  1. lib/ is one folder a layer, ranked below. A file of lib/LAYER/ may
     include the headers (internal, "LAYER/x.h", or public, "nk/x.h") of its
     own layer and of lower ranks only; two layers of one rank (http and
     telnet) never include each other. The public headers in include/nk/
     keep the same order among themselves.
  2. The tools (cmd/) include only public headers ("nk/x.h") and their own
     (cmd/TOOL/, cmd/common/): never lib/.
  3. No circle between files: from the built objects ($B/obj), file A
     depends on B when A uses a symbol B defines; a circle (A needs B needs
     A) is reported with its members. Checked within libnk and within each
     tool (its files and cmd/common).
  4. No file of lib/ or cmd/ over 800 lines, unless its first 5 lines say
     it is generated.
  5. No function over 120 lines, unless the comment just above it says it
     is a state machine (one whose states are its cases).

Every violation is printed as FILE:LINE: message; exit status 1 when there
is one, 0 when there is none, 2 when the build to read objects from is
missing.
"""
import collections
import os
import re
import subprocess
import sys

RANK = {'core': 0, 'url': 1, 'net': 2, 'tls': 3, 'http': 4, 'telnet': 4,
        'fetch': 5, 'ws': 5}
# The public headers, by layer.
PUBLIC = {
    'defs': 'core', 'err': 'core', 'time': 'core', 'text': 'core',
    'buf': 'core', 'task': 'core',
    'url': 'url',
    'net': 'net', 'conn': 'net',
    'tls': 'tls', 'x509': 'tls',
    'chain': 'tls',
    'tlsprobe': 'tls',
    'tls': 'tls', 'x509': 'tls', 'revoke': 'tls',
    'http': 'http', 'multipart': 'http', 'cookie': 'http',
    'telnet': 'telnet',
    'fetch': 'fetch', 'netrc': 'fetch',
    'ws': 'ws',
}
MAX_FILE = 800
MAX_FUNC = 120

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
problems = []


def say(path, line, msg):
    problems.append(f'{path}:{line}: {msg}')


def may_use(mine, theirs):
    """May layer MINE include a header of layer THEIRS?"""
    return theirs == mine or RANK[theirs] < RANK[mine]


def includes(path):
    with open(path, errors='replace') as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield n, m.group(1)


def header_layer(inc, here):
    """The layer of an included header, or None when it is not a layer's."""
    parts = inc.split('/')
    if len(parts) == 2 and parts[0] == 'nk':
        name = parts[1][:-2]
        if name == 'nk':
            return 'nk.h'
        return PUBLIC.get(name, '?' + name)
    if len(parts) == 2 and parts[0] in RANK:
        return parts[0]
    if len(parts) == 1:
        return here  # beside the including file
    return '?' + inc


def check_includes():
    for layer in sorted(RANK):
        d = os.path.join('lib', layer)
        if not os.path.isdir(d):
            say(d, 0, 'layer folder missing')
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(d, name)
            for n, inc in includes(path):
                theirs = header_layer(inc, layer)
                if theirs == 'nk.h':
                    say(path, n, 'the umbrella header nk/nk.h is for programs, '
                        'not the library')
                elif theirs.startswith('?'):
                    say(path, n, f'"{inc}": not a header of a layer '
                        '(add it to scripts/layers.py)')
                elif not may_use(layer, theirs):
                    say(path, n, f'layer {layer} includes "{inc}" of layer '
                        f'{theirs}, which is not below it')
    for name in sorted(os.listdir('lib')):
        if name.endswith(('.c', '.h')):
            say(os.path.join('lib', name), 0, 'a file of lib/ belongs in a '
                'layer folder')
    for name in sorted(os.listdir('include/nk')):
        if not name.endswith('.h') or name == 'nk.h':
            continue
        mine = PUBLIC.get(name[:-2])
        path = os.path.join('include/nk', name)
        if mine is None:
            say(path, 0, 'public header of no layer (add it to '
                'scripts/layers.py)')
            continue
        for n, inc in includes(path):
            theirs = header_layer(inc, mine)
            if theirs == 'nk.h' or theirs.startswith('?') or \
                    not may_use(mine, theirs):
                say(path, n, f'public header of layer {mine} includes '
                    f'"{inc}"')
    for root, _, files in os.walk('cmd'):
        for name in sorted(files):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(root, name)
            for n, inc in includes(path):
                if inc.startswith('nk/'):
                    if not os.path.exists(os.path.join('include', inc)):
                        say(path, n, f'"{inc}" is no public header')
                    continue
                if os.path.exists(os.path.join(root, inc)) or \
                        os.path.exists(os.path.join('cmd/common', inc)):
                    continue
                say(path, n, f'"{inc}": a tool includes public headers '
                    '(nk/...) and its own only')


def symbols(obj):
    out = subprocess.run(['nm', '-P', obj], capture_output=True, text=True,
                         check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        p = line.split()
        if len(p) < 2:
            continue
        if p[1] == 'U':
            undefined.add(p[0])
        elif p[1] in 'TDBRVWC':
            defined.add(p[0])
    return defined, undefined


def circles(objs, label):
    """Report each circle (strongly connected set of 2 or more files)."""
    owner, needs = {}, {}
    for o in objs:
        d, u = symbols(o)
        for s in d:
            owner[s] = o
        needs[o] = u
    graph = {o: sorted({owner[s] for s in needs[o] if s in owner} - {o})
             for o in objs}
    # Tarjan's algorithm, iterative.
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in objs:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(graph[w])))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(comp)
    for comp in out:
        names = sorted(source_of(o) for o in comp)
        say(names[0], 0, f'{label}: files that need each other: '
            + ' <-> '.join(names))


def source_of(obj):
    rel = obj.split(os.sep + 'obj' + os.sep, 1)[1]
    return rel[:-2] + '.c'


def check_circles(build):
    objdir = os.path.join(build, 'obj')
    if not os.path.isdir(os.path.join(objdir, 'lib')):
        print(f'layers: no objects in {objdir}: build first (make)',
              file=sys.stderr)
        sys.exit(2)

    def objs(d):
        d = os.path.join(objdir, d)
        found = []
        for root, _, files in os.walk(d):
            found += [os.path.join(root, f) for f in files if f.endswith('.o')]
        # An object whose source is gone (a file split or renamed) is
        # stale, not part of what is built now.
        return sorted(o for o in found if os.path.exists(source_of(o)))
    circles(objs('lib'), 'libnk')
    for tool in sorted(os.listdir(os.path.join(objdir, 'cmd'))):
        if tool != 'common':
            circles(objs('cmd/' + tool) + objs('cmd/common'), 'nk-' + tool)


def sources():
    for top in ('lib', 'cmd'):
        for root, _, files in os.walk(top):
            for name in sorted(files):
                if name.endswith(('.c', '.h')):
                    yield os.path.join(root, name)


def check_sizes():
    for path in sources():
        with open(path, errors='replace') as f:
            lines = f.read().split('\n')
        if len(lines) - 1 > MAX_FILE and \
                not any('generated' in l.lower() for l in lines[:5]):
            say(path, 1, f'{len(lines) - 1} lines: a file of more than '
                f'{MAX_FILE} does several jobs; split it')
        if not path.endswith('.c'):
            continue
        start = None
        for i, line in enumerate(lines):
            if line == '{':
                start = i
            elif line == '}' and start is not None:
                length = i - start + 1
                if length > MAX_FUNC:
                    check_function(path, lines, start, length)
                start = None


def check_function(path, lines, brace, length):
    j = brace - 1
    while j >= 0 and '(' not in lines[j]:
        j -= 1
    m = re.search(r'([A-Za-z_]\w*)\s*\(', lines[j]) if j >= 0 else None
    name = m.group(1) if m else '?'
    # the comment block just above the declaration
    k = j - 1
    while k >= 0 and re.match(r'^[A-Za-z_]', lines[k]) and \
            not lines[k].endswith(';') and not lines[k].startswith('}'):
        k -= 1  # a return type on its own line
    comment = []
    while k >= 0 and (lines[k].startswith((' *', '/*', '//')) or
                      lines[k].endswith('*/')):
        comment.append(lines[k])
        k -= 1
    if 'state machine' in ' '.join(comment).lower():
        return
    say(path, j + 1, f'{name}(): {length} lines; more than {MAX_FUNC} '
        'is more than one job (a state machine whose states are its cases '
        'says so in the comment above it)')


def main():
    build = None
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    args = sys.argv[1:]
    while len(args) >= 2 and args[0] in ('--build', '--root'):
        if args[0] == '--build':
            build = args[1]
        else:
            root = args[1]
        args = args[2:]
    if args:
        print(__doc__.split('\n\n')[0], file=sys.stderr)
        return 2
    build = os.path.abspath(build) if build else \
        os.path.join(os.path.abspath(root), 'build')
    os.chdir(root)
    check_includes()
    check_circles(build)
    check_sizes()
    for p in problems:
        print(p)
    print(f'layers: {len(problems)} finding{"s" if len(problems) != 1 else ""}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
