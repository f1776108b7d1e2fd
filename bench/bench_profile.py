"""bench/bench_profile.py: where the clients' time goes (bench/run --profile).

Figures that do not drift with machine noise, against the same nginx and
files as the timed run:

  - instructions (valgrind --tool=callgrind): the total, split by the ELF
    object that executed them (the dynamic loader, libc, libcrypto, the
    program...), and the heaviest functions by inclusive cost;
  - system calls (strace -c -f): how many of each, per run and, for the
    1000-request workload, per request;
  - for the bulk transfers, the read and write sizes (strace) and, when
    perf works here, the CPU samples by object and symbol (perf record -e
    cpu-clock, which also sees the kernel's share);
  - peak memory by mapping: the RSS of each mapping of the client's
    address space half-way through a 1 GiB transfer.

Everything goes to stdout and to $(B)/bench-profile.txt."""

import collections
import os
import re
import shutil
import subprocess
import time


def _run(cmd, env, timeout=600, stdout=subprocess.DEVNULL):
    return subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL,
                          stdout=stdout, stderr=subprocess.PIPE,
                          timeout=timeout)


# ---------------------------------------------------------------------
# callgrind

def callgrind_objects(path):
    """Self cost (the first event, Ir) per ELF object, from a callgrind
    output file, and the total."""
    names = {}          # (kind, id) -> name, for name compression
    per = collections.Counter()
    ob = "?"
    after_call = False
    total = 0

    def name(kind, rest):
        m = re.match(r"\((\d+)\)\s*(.*)", rest)
        if not m:
            return rest.strip()
        key = (kind, m.group(1))
        if m.group(2):
            names[key] = m.group(2).strip()
        return names.get(key, "?")

    with open(path, errors="replace") as f:
        for line in f:
            c = line[:1]
            if c.isdigit() or c in "+-*":
                if after_call:
                    after_call = False
                    continue
                t = line.split()
                if len(t) > 1:
                    per[ob] += int(t[1])
                continue
            if line.startswith("ob="):
                ob = name("ob", line[3:])
            elif line.startswith("cob="):
                name("ob", line[4:])
            elif line.startswith("calls="):
                after_call = True
            elif line.startswith(("summary:", "totals:")):
                total = max(total, int(line.split()[1]))
    return total or sum(per.values()), per


OBJ_COLS = ("ld.so", "libc", "libcrypto", "libssl", "libcurl", "program")


def short_object(path, prog):
    base = os.path.basename(path)
    if base.startswith("ld-linux"):
        return "ld.so"
    if base == prog:
        return "program"
    m = re.match(r"(lib[a-z0-9_+-]+)\.so", base)
    return m.group(1) if m else base


def callgrind_top(path, n=14):
    """The heaviest functions by inclusive cost, from callgrind_annotate."""
    r = subprocess.run(["callgrind_annotate", "--inclusive=yes", path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    out = []
    seen = set()
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*([\d.]+)%\)\s+(\S.*)", line)
        if not m or "PROGRAM TOTALS" in line:
            continue
        pct = float(m.group(2))
        what = m.group(3)
        # the wrappers around everything say nothing
        if pct > 95 or ":" not in what or \
                re.search(r"\(below main\)|libc_start|_start\b", what):
            continue
        what = re.sub(r"^\S*/", "", what)           # drop directories
        what = re.sub(r"\[/\S*/([^/\]]+)\]", r"[\1]", what)
        # callgrind_annotate lists a function once per source file its
        # code came from; keep the first
        key = (m.group(1), re.sub(r"\s*\[.*\]$", "", what))
        if key in seen:
            continue
        seen.add(key)
        out.append("%13s %5.1f%%  %s" % (m.group(1), pct, what))
        if len(out) == n:
            break
    return out


def profile_instructions(out, cases, env, tmp):
    out.append("## Instructions per run (valgrind --tool=callgrind)")
    out.append("")
    out.append("Ir: instructions executed in user space (the kernel's "
               "share is not counted), by the ELF object that ran them.")
    out.append("")
    tops = []
    rows = []
    for label, argv, extra in cases:
        cg = os.path.join(tmp, "callgrind.out")
        e = dict(env)
        e.update(extra or {})
        r = _run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" +
                  cg] + argv, e)
        if r.returncode != 0 or not os.path.exists(cg):
            rows.append((label, None, {}))
            continue
        total, per = callgrind_objects(cg)
        agg = collections.Counter()
        for o, v in per.items():
            agg[short_object(o, os.path.basename(argv[0]))] += v
        rows.append((label, total, agg))
        if label.startswith("nk"):
            tops.append((label, callgrind_top(cg)))
        os.unlink(cg)
    cols = OBJ_COLS
    out.append("| run | Ir total | " + " | ".join(cols) + " | other |")
    out.append("| --- | ---: | " + " | ".join("---:" for _ in cols) +
               " | ---: |")
    for label, total, agg in rows:
        if total is None:
            out.append("| %s | failed |" % label)
            continue
        cells = []
        rest = total
        for o in cols:
            v = agg.get(o, 0)
            rest -= v
            cells.append("%.2fM" % (v / 1e6) if v else "-")
        out.append("| %s | %.2fM | %s | %.2fM |" % (
            label, total / 1e6, " | ".join(cells), max(rest, 0) / 1e6))
    out.append("")
    for label, top in tops:
        out.append("Heaviest functions, inclusive, %s:" % label)
        out.append("")
        out.append("```")
        out.extend(top)
        out.append("```")
        out.append("")


# ---------------------------------------------------------------------
# the front command

def spawn_cpu(spawn, argv, env, n):
    """Median CPU (user+sys, seconds) of n runs through bench/spawn."""
    v = []
    for _ in range(n):
        r = subprocess.run([spawn, "--"] + argv, env=env,
                           stdout=subprocess.PIPE, text=True)
        t = r.stdout.split()
        if len(t) == 5 and t[0] == "0":
            v.append((int(t[2]) + int(t[3])) / 1e6)
    v.sort()
    return v[len(v) // 2] if v else float("nan")


def profile_front(out, a, env, tmp, n):
    """What `nk TOOL` adds: nk runs next to a "tool" that is the static
    empty program, so only nk's own start-up and the exec remain."""
    d = os.path.join(tmp, "front")
    os.makedirs(d, exist_ok=True)
    nk = os.path.join(d, "nk")
    shutil.copy(a.nk, nk)
    shutil.copy(a.empty, os.path.join(d, "nk-http"))
    with_nk = spawn_cpu(a.spawn, [nk, "http"], env, n)
    alone = spawn_cpu(a.spawn, [a.empty], env, n)
    libs = []
    r = subprocess.run(["ldd", a.nk], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    for line in r.stdout.splitlines():
        t = line.split()
        if t and not t[0].startswith(("linux-vdso", "/lib64/ld-linux")):
            libs.append(t[0])
    counts, total, _ = strace_counts([nk, "http"], env, tmp)
    out.append("## The front command")
    out.append("")
    out.append("`nk http` with nk-http replaced by the static empty "
               "program, so that only nk's part remains: CPU median of "
               "%d runs %.0f us, the empty program alone %.0f us: nk adds "
               "%.0f us of CPU. nk loads: %s; system calls of both "
               "images: %d (%s)." % (
                   n, with_nk * 1e6, alone * 1e6, (with_nk - alone) * 1e6,
                   ", ".join(libs) or "nothing (static)", total,
                   ", ".join("%s %d" % kv for kv in counts.most_common(6))))
    out.append("")


# ---------------------------------------------------------------------
# strace

def strace_counts(argv, env, tmp, trace=None):
    """(calls by name, total) from strace -c -f; with trace, also the
    return values of those calls (a list of (name, fd, result))."""
    sc = os.path.join(tmp, "strace.c")
    r = _run(["strace", "-f", "-c", "-o", sc] + argv, env)
    counts = collections.Counter()
    if r.returncode == 0 or os.path.exists(sc):
        with open(sc) as f:
            for line in f:
                t = line.split()
                if len(t) >= 5 and re.match(r"[\d.]+$", t[0]) and \
                        t[-1] != "total":
                    counts[t[-1]] = int(t[3])
        os.unlink(sc)
    sizes = []
    if trace:
        st = os.path.join(tmp, "strace.t")
        _run(["strace", "-e", "trace=" + trace, "-o", st] + argv, env)
        with open(st, errors="replace") as f:
            # Only after the connection is made: the dynamic loader reads
            # libraries through the same descriptor numbers before.
            connected = False
            for line in f:
                if line.startswith("connect("):
                    connected = True
                m = re.match(r"(\w+)\((\d+),.*= (-?\d+)", line)
                if m and connected:
                    sizes.append((m.group(1), int(m.group(2)),
                                  int(m.group(3))))
        os.unlink(st)
    return counts, sum(counts.values()), sizes


def profile_syscalls(out, cases, env, tmp):
    out.append("## System calls (strace -c -f)")
    out.append("")
    out.append("| run | calls | per request | most frequent |")
    out.append("| --- | ---: | ---: | --- |")
    for label, argv, extra, nreq in cases:
        e = dict(env)
        e.update(extra or {})
        counts, total, _ = strace_counts(argv, e, tmp)
        top = ", ".join("%s %d" % (k, v) for k, v in counts.most_common(8))
        out.append("| %s | %d | %s | %s |" % (
            label, total, "%.1f" % (total / nreq) if nreq > 1 else "",
            top))
    out.append("")


def profile_io_sizes(out, cases, env, tmp):
    out.append("## Read and write sizes in bulk transfers (strace)")
    out.append("")
    out.append("| run | reads from the socket | writes of the body |")
    out.append("| --- | --- | --- |")
    for label, argv, extra in cases:
        e = dict(env)
        e.update(extra or {})
        _, _, sizes = strace_counts(
            argv, e, tmp, trace="connect,read,recvfrom,recvmsg,readv,write,"
            "writev,sendto,splice,sendfile")
        # The socket is the fd that recv-type calls use most; the body
        # goes to the fd written most (stdout or the output file).
        rfd = collections.Counter(fd for n, fd, r in sizes
                                  if n in ("read", "recvfrom", "recvmsg",
                                           "readv", "splice") and r > 0)
        wfd = collections.Counter(fd for n, fd, r in sizes
                                  if n in ("write", "writev", "splice",
                                           "sendfile") and r > 0)

        def desc(fd, names):
            v = [r for n, f, r in sizes if f == fd and n in names and r > 0]
            if not v:
                return "-"
            common = collections.Counter(v).most_common(2)
            calls = collections.Counter(n for n, f, r in sizes
                                        if f == fd and n in names and r > 0)
            return "%d calls (%s), %.0f KiB average; most often %s" % (
                len(v), ", ".join(calls), sum(v) / len(v) / 1024,
                " and ".join("%d B x%d" % (s, k) for s, k in common))
        r = desc(rfd.most_common(1)[0][0], ("read", "recvfrom", "recvmsg",
                                          "readv", "splice")) if rfd else "-"
        w = desc(wfd.most_common(1)[0][0], ("write", "writev", "splice",
                                          "sendfile")) if wfd else "-"
        out.append("| %s | %s | %s |" % (label, r, w))
    out.append("")


# ---------------------------------------------------------------------
# perf

def perf_usable():
    if not shutil.which("perf"):
        return False
    r = subprocess.run(["perf", "stat", "-e", "cpu-clock", "true"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def profile_perf(out, cases, env, tmp):
    out.append("## CPU samples in bulk transfers (perf record -e cpu-clock)")
    out.append("")
    out.append("Share of the client's samples, kernel included "
               "(libraries without symbols show as their object only).")
    out.append("")
    for label, argv, extra, before in cases:
        e = dict(env)
        e.update(extra or {})
        data = os.path.join(tmp, "perf.data")
        if before:
            before()
        _run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "4000",
              "-o", data, "--"] + argv, e)
        comm = os.path.basename(argv[0])[:15]
        by_dso = subprocess.run(
            ["perf", "report", "-i", data, "--comm", comm, "--sort", "dso",
             "--stdio", "--percentage", "relative"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        by_sym = subprocess.run(
            ["perf", "report", "-i", data, "--comm", comm, "--sort",
             "dso,sym", "--stdio", "--percentage", "relative"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        dsos = [ln.strip() for ln in by_dso.stdout.splitlines()
                if ln.strip() and not ln.startswith("#")][:6]
        syms = [ln.strip() for ln in by_sym.stdout.splitlines()
                if ln.strip() and not ln.startswith("#")][:8]
        out.append("%s: by object: %s" % (label, "; ".join(
            re.sub(r"\s+", " ", d) for d in dsos)))
        out.append("")
        out.append("```")
        out.extend(syms)
        out.append("```")
        out.append("")
        if os.path.exists(data):
            os.unlink(data)
        if before:
            before()


# ---------------------------------------------------------------------
# memory

def rss_by_mapping(argv, env, stall_after):
    """Runs argv with stdout into a pipe, reads stall_after bytes, stops
    reading (the client blocks in write with its buffers in use), and
    returns the RSS of each mapping (KiB) and the total."""
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    got = 0
    while got < stall_after:
        b = p.stdout.read1(1 << 20)
        if not b:
            break
        got += len(b)
    time.sleep(0.3)
    per = collections.Counter()
    total = 0
    try:
        name = "?"
        with open("/proc/%d/smaps" % p.pid) as f:
            for line in f:
                if re.match(r"[0-9a-f]+-[0-9a-f]+ ", line):
                    t = line.split()
                    name = t[5] if len(t) > 5 else "[anon]"
                    name = os.path.basename(name) if name.startswith("/") \
                        else name
                elif line.startswith("Rss:"):
                    kb = int(line.split()[1])
                    per[name] += kb
                    total += kb
    except OSError:
        pass
    p.kill()
    p.stdout.close()
    p.wait()
    return per, total


def profile_memory(out, cases, env, stall_after):
    out.append("## Resident memory by mapping, mid-transfer (/proc/PID/smaps)")
    out.append("")
    for label, argv, extra in cases:
        e = dict(env)
        e.update(extra or {})
        per, total = rss_by_mapping(argv, e, stall_after)
        top = ", ".join("%s %d" % (k, v) for k, v in per.most_common(9)
                        if v >= 32)
        out.append("- %s: %d KiB: %s" % (label, total, top))
    out.append("")


# ---------------------------------------------------------------------

def run(a, nginx, certs, store, rundir, env, have, big):
    http = "http://127.0.0.1:%d/" % nginx.port
    https = "https://127.0.0.1:%d/" % nginx.sport
    ca = os.path.join(certs, "ca.pem")
    store_env = {"SSL_CERT_DIR": store}
    nk = [a.nk_http, "-s"]
    curl = ["curl", "-s"]
    tmp = os.path.join(rundir, "profile")
    os.makedirs(tmp, exist_ok=True)
    clients = [c for c in (("nk", nk), ("curl", curl)) if c[0] in have]
    out = ["# Profile", ""]

    if shutil.which("valgrind"):
        cases = [("static empty program", [a.empty], None)]
        for who, argv in clients:
            cases.append(("%s http 100 B" % who, argv + [http + "100b.bin"],
                          None))
        for who, argv in clients:
            cases.append(("%s https 100 B --cacert" % who,
                          argv + ["--cacert", ca, https + "100b.bin"], None))
        for who, argv in clients:
            cases.append(("%s https 100 B system store" % who,
                          argv + [https + "100b.bin"], store_env))
        profile_instructions(out, cases, env, tmp)
    else:
        out.append("(no valgrind: instruction counts left out)")
        out.append("")

    if "nk" in have and os.access(a.nk, os.X_OK):
        profile_front(out, a, env, tmp, 50 if big == "10m.bin" else 300)

    if shutil.which("strace"):
        urls = [http + "100b.bin"] * 1000
        cases = []
        for who, argv in clients:
            cases.append(("%s http 100 B" % who, argv + [http + "100b.bin"],
                          None, 1))
        for who, argv in clients:
            cases.append(("%s https 100 B --cacert" % who,
                          argv + ["--cacert", ca, https + "100b.bin"], None,
                          1))
        for who, argv in clients:
            cases.append(("%s 1000 x 100 B, one connection" % who,
                          argv + urls, None, 1000))
        profile_syscalls(out, cases, env, tmp)
        cases = []
        for who, argv in clients:
            cases.append(("%s http %s to /dev/null" % (who, big),
                          argv + [http + big], None))
        for who, argv in clients:
            cases.append(("%s https %s to /dev/null" % (who, big),
                          argv + ["--cacert", ca, https + big], None))
        profile_io_sizes(out, cases, env, tmp)
    else:
        out.append("(no strace: system call counts left out)")
        out.append("")

    if perf_usable():
        outf = os.path.join(rundir, "out.bin")

        def rm():
            if os.path.exists(outf):
                os.unlink(outf)
        cases = []
        for who, argv in clients:
            cases.append(("%s http %s to /dev/null" % (who, big),
                          argv + [http + big], None, None))
            cases.append(("%s http %s to a file" % (who, big),
                          argv + ["-o", outf, http + big], None, rm))
            cases.append(("%s https %s to /dev/null" % (who, big),
                          argv + ["--cacert", ca, https + big], None, None))
        profile_perf(out, cases, env, tmp)
    else:
        out.append("(perf not usable here: CPU samples left out)")
        out.append("")

    cases = []
    for who, argv in clients:
        cases.append(("%s http %s" % (who, big), argv + [http + big], None))
        cases.append(("%s https %s" % (who, big),
                      argv + ["--cacert", ca, https + big], None))
    profile_memory(out, cases, env, 5 << 20 if big == "10m.bin" else 256 << 20)

    text = "\n".join(out) + "\n"
    path = os.path.join(a.build, "bench-profile.md")
    with open(path, "w") as f:
        f.write(text)
    print(text, end="")
    print("# profile: %s" % path)
    return 0
