#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Reads the logs of one test boot and says whether it passed.

results.py check CONSOLE_LOG OUTPUT_LOG
    Counts every KUnit case (KTAP on the kernel console), every selftest
    case (kselftest TAP on the job output) and every upstream KVM selftest
    of tests/kvm-selftests.list (its TAP if it prints a plan, else one
    result from its exit status: 0 passes, 4 skips, any other fails),
    prints each result and ends with "N passed, N failed, N skipped".
    Fails on any failed or missing result, on a selftest binary that
    exited non-zero without saying why, on a job that did not finish, on
    any kernel splat, and on a kmemleak report of an object allocated
    through vas code.

    One exception to "any kernel splat": tests/selftests/vas/
    fail_nth_test.c makes allocations fail on purpose, and an allocation
    that fails may print an allocation failure report, warn_alloc()'s
    "COMM: page allocation failure: ..." or "COMM: vmalloc error: ..."
    line, a stack dump and the memory state. From a kernel log line
    "vas-fail-nth: begin" to the next "vas-fail-nth: end" (or the end of
    the log), the "Call Trace:" line of such a report, the one
    that directly follows its first line and the dump's CPU/Tainted/
    Hardware name lines, is not a splat. Nothing else is exempt: any other
    splat there, or in such a report, still fails.

results.py run CONSOLE_LOG OUTPUT_LOG
    Fails if the demo or the guest under vas-vmm did not finish with
    status 0, or the kernel splatted.

results.py bench CONSOLE_LOG OUTPUT_LOG
    Fails if a benchmark did not finish with status 0 or the kernel
    splatted. Benchmarks print figures; they are not tests.
"""
import os
import re
import sys

SPLATS = re.compile(
    r"(Kernel panic|Oops|BUG:|WARNING:|UBSAN:|KASAN:|kernel BUG at|"
    r"general protection fault|Call Trace:|INFO: task .* blocked|"
    r"rcu: INFO:|detected stall|list_add corruption|list_del corruption|"
    r"DEBUG_LOCKS_WARN_ON|possible circular locking|"
    r"inconsistent lock state|suspicious RCU usage|"
    r"sleeping function called from invalid context)")
RESULT = re.compile(r"^(\s*)(ok|not ok) (\d+) ([^#]*?)\s*(#\s*(\S+).*)?$")
PLAN = re.compile(r"^(\s*)1\.\.(\d+)\s*$")
SKIP_ALL = re.compile(r"^1\.\.0 # SKIP\s*(.*)$")
KVM_LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "kvm-selftests.list")


def strip_time(line):
    return re.sub(r"^\[\s*\d+\.\d+\]\s?", "", line.rstrip("\r\n"))


def read(path):
    try:
        with open(path, errors="replace") as f:
            return [strip_time(line) for line in f]
    except FileNotFoundError:
        return []


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.problems = []

    def result(self, name, ok, directive):
        if directive and directive.upper() == "SKIP":
            self.skipped += 1
            word = "SKIP"
        elif ok:
            self.passed += 1
            word = "PASS"
        else:
            self.failed += 1
            word = "FAIL"
        print(f"  {word}  {name}")

    def problem(self, text):
        self.problems.append(text)


def kunit(lines, tally):
    """Leaf results at depth 1 (test cases of a suite), and each suite's plan."""
    suite, plan, seen, top_plan, suites = None, None, 0, None, 0
    for line in lines:
        m = PLAN.match(line)
        if m:
            if len(m.group(1)) == 0 and top_plan is None:
                top_plan = int(m.group(2))
            elif len(m.group(1)) == 4:
                plan, seen = int(m.group(2)), 0
            continue
        if line.startswith("    # Subtest: "):
            suite = line.split(": ", 1)[1].strip()
            continue
        m = RESULT.match(line)
        if not m:
            continue
        depth = len(m.group(1))
        if depth == 4 and suite:
            seen += 1
            tally.result(f"kunit {suite}.{m.group(4)}", m.group(2) == "ok",
                         m.group(6))
        elif depth == 0 and suite:
            suites += 1
            if plan is not None and seen != plan:
                tally.problem(f"kunit suite {suite}: {seen} of {plan} results")
            suite, plan = None, None
    if top_plan is None:
        tally.problem("no KUnit output on the console")
    elif suites != top_plan:
        tally.problem(f"kunit: {suites} of {top_plan} suites finished")


def top_tap(line):
    """A top-level TAP line: ("plan", N), ("result", match), or (None, None)."""
    m = PLAN.match(line)
    if m and len(m.group(1)) == 0:
        return "plan", int(m.group(2))
    m = RESULT.match(line)
    if m and len(m.group(1)) == 0:
        return "result", m
    return None, None


def selftests(lines, tally):
    name, plan, seen, ran = None, None, 0, 0
    for line in lines:
        if line.startswith("VAS-SELFTEST-BEGIN "):
            name, plan, seen = line.split()[1], None, 0
            continue
        if line.startswith("VAS-SELFTEST-END ") and name:
            ran += 1
            rc = int(line.rsplit("rc=", 1)[1])
            if plan is None:
                tally.problem(f"selftest {name}: no TAP plan (exit {rc})")
            elif seen != plan:
                tally.problem(f"selftest {name}: {seen} of {plan} results")
            if rc not in (0, 4) and tally.failed == 0:
                tally.problem(f"selftest {name}: exit status {rc}")
            name = None
            continue
        if not name:
            continue
        kind, m = top_tap(line)
        if kind == "plan":
            plan = m
        elif kind == "result":
            seen += 1
            tally.result(f"{name}: {m.group(4)}", m.group(2) == "ok",
                         m.group(6))
    if name:
        tally.problem(f"selftest {name} did not finish")
    if ran == 0:
        tally.problem("no selftest ran")


def kvm_selftests(lines, tally):
    """Each line of the list (test and arguments) must run once. A test
    that prints a TAP plan is counted case by case; otherwise its exit
    status makes one result, named with its arguments, time and any skip
    reason."""
    with open(KVM_LIST) as f:
        listed = [" ".join(l.split()) for l in f
                  if re.match(r"[A-Za-z0-9]", l)]
    name, plan, seen, failed, why, tail, ran = None, None, 0, 0, "", [], []
    for line in lines:
        if line.startswith("VAS-KVM-SELFTEST-BEGIN "):
            name = " ".join(line.split()[1:])
            plan, seen, failed, why, tail = None, 0, 0, "", []
            continue
        if not name:
            continue
        end = re.match(r"VAS-KVM-SELFTEST-END \S+ rc=(\d+) time=(\S+)", line)
        if end:
            rc, ran = int(end.group(1)), ran + [name]
            if plan is None:
                note = f"exit {rc}, " if rc not in (0, 4) else ""
                note += end.group(2) + (f", {why}" if why else "")
                tally.result(f"kvm {name} ({note})", rc == 0,
                             "SKIP" if rc == 4 else None)
                if rc not in (0, 4):
                    for extra in tail:
                        print("    | " + extra)
            else:
                if seen != plan:
                    tally.problem(f"kvm {name}: {seen} of {plan} results")
                if rc not in (0, 4) and not failed:
                    tally.problem(f"kvm {name}: exit status {rc}")
            name = None
            continue
        tail = (tail + [line])[-7:]
        m = SKIP_ALL.match(line)
        if m:
            why = m.group(1).lstrip("- ")
            continue
        kind, m = top_tap(line)
        if kind == "plan":
            plan = m
        elif kind == "result" and plan is not None:
            seen += 1
            failed += m.group(2) != "ok"
            tally.result(f"kvm {name}: {m.group(4)}", m.group(2) == "ok",
                         m.group(6))
    if name:
        tally.problem(f"kvm selftest {name} did not finish")
        ran.append(name)
    for t in ran:
        if t in listed:
            listed.remove(t)
    for t in listed:
        tally.problem(f"kvm selftest {t} did not run")


def kmemleak(lines, tally):
    """Leaks whose allocation backtrace runs through vas code fail."""
    if "VAS-KMEMLEAK-BEGIN" not in lines:
        tally.problem("no kmemleak report")
        return
    report = lines[lines.index("VAS-KMEMLEAK-BEGIN") + 1:]
    report = report[:report.index("VAS-KMEMLEAK-END")] if "VAS-KMEMLEAK-END" in report else report
    blocks, current = [], []
    for line in report:
        if line.startswith("unreferenced object") and current:
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    leaks = [b for b in blocks if b and b[0].startswith("unreferenced object")]
    ours = [b for b in leaks if any(re.search(r"\bvas_|virt/vas", l) for l in b)]
    for b in ours:
        tally.problem("kmemleak: " + b[0].strip())
        for extra in b[1:12]:
            print("    | " + extra)
    print(f"  kmemleak: {len(leaks)} unreferenced objects, {len(ours)} from vas")


FAIL_NTH_BEGIN = "vas-fail-nth: begin"
FAIL_NTH_END = "vas-fail-nth: end"
# The first line of a warn_alloc() report, and the dump_stack() lines that
# come before its "Call Trace:"
WARN_ALLOC = re.compile(
    r"^\S.*?: (page allocation failure: order:\d+|vmalloc error: size \d+, "
    r".*), mode:0x[0-9a-f]+\(.*\), nodemask=")
DUMP_STACK_HEAD = re.compile(r"^(CPU: \d+ |Tainted: |Hardware name: )")


def injected_failure_traces(lines):
    """Indices of the "Call Trace:" lines of warn_alloc() reports inside
    the fail-nth markers (see the top)."""
    exempt, inside = set(), False
    for i, line in enumerate(lines):
        if line == FAIL_NTH_BEGIN:
            inside = True
        elif line == FAIL_NTH_END:
            inside = False
        elif inside and WARN_ALLOC.match(line):
            j = i + 1
            while j < len(lines) and DUMP_STACK_HEAD.match(lines[j]):
                j += 1
            if j < len(lines) and lines[j] == "Call Trace:":
                exempt.add(j)
    return exempt


def splats(lines, tally):
    exempt = injected_failure_traces(lines)
    for i, line in enumerate(lines):
        if SPLATS.search(line) and i not in exempt:
            tally.problem("kernel: " + line.strip())
            for extra in lines[i + 1:i + 4]:
                print("    | " + extra)


def main():
    mode, console_log, output_log = sys.argv[1:4]
    console, output = read(console_log), read(output_log)
    tally = Tally()
    if mode == "check":
        kunit(console, tally)
        selftests(output, tally)
        kvm_selftests(output, tally)
        kmemleak(output, tally)
    elif mode == "bench":
        ends = [line for line in output if line.startswith("VAS-BENCH-END ")]
        if not ends or any(not line.endswith(" rc=0") for line in ends):
            tally.problem("a benchmark did not finish with status 0")
    else:
        if not any(line.startswith("VAS-DEMO-END rc=0") for line in output):
            tally.problem("the demo did not finish with status 0")
        if not any(line.startswith("VAS-VMM-END rc=0") for line in output):
            tally.problem("the guest under vas-vmm did not finish with "
                          "status 0")
    splats(console, tally)
    if not any(line.startswith("VAS-JOB-END") for line in output):
        tally.problem("the job did not finish (timeout or crash)")
    for p in tally.problems:
        print("  PROBLEM  " + p)
    ok = tally.failed == 0 and not tally.problems
    if not ok:
        print(f"  logs: {console_log} {output_log}")
    if mode == "check":
        print(f"{tally.passed} passed, {tally.failed} failed, "
              f"{tally.skipped} skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
