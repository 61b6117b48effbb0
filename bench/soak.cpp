// SPDX-License-Identifier: GPL-2.0-or-later
//
// vuurmuur-soak --good DIR --bad DIR [--cycles N] [--every N] [--warmup N]
//               [--apply none|restore|full] [--state-dir DIR] [--max-growth-mib X]
//
// The long-running process of bench/soak (docs/robustness.md). Runs N cycles (default 10,000)
// in this one process; even cycles use the good tree, odd cycles the broken one, so that the
// error paths run as often as the normal ones:
//
//   load -> check   vuurmuur::load_and_check, diagnostics sorted and rendered (what `check`
//                   prints); the good tree must have no error, the broken one must have some
//   compile         compile::compile + render::iptables_restore of both families (good tree)
//   apply restore   the rendered texts through apply::run_restore (the core's restore
//                   backend: fork/exec of iptables-restore / ip6tables-restore --noflush, the
//                   text on a pipe). On broken cycles a ruleset with a bad rule is test-loaded
//                   instead: the tool's failure and apply::failing_line are the error path.
//   apply full      apply::apply() of the tree (save, test-load, load, rollback, forwarding,
//                   last-known-good), the whole `vuurmuur-script apply`; on broken cycles it
//                   must refuse the tree.
//   apply none      no kernel (not root, or no network namespace)
//
// Run it inside a throwaway network namespace (bench/soak does: unshare -n): the apply
// changes that namespace's rulesets only.
//
// Prints the resident set size (VmRSS) and the open file descriptors before the first cycle,
// after the warm-up (--warmup, default 100 cycles: the allocator's and the libraries' one-time
// growth, which is not a leak), every N cycles (--every, default 1,000) and at the end, each
// read between two cycles, then one line with the growth from the warm-up to the end. Exit status: 0 when the RSS grew less than --max-growth-mib
// (default 1) and no descriptor leaked; 1 otherwise or when a cycle went wrong; 2 usage.

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "vuurmuur/apply/apply.h"
#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"

namespace {

using namespace vuurmuur;

[[noreturn]] void usage(const std::string& message) {
    std::cerr << "vuurmuur-soak: error: " << message << "\n"
              << "Usage: vuurmuur-soak --good DIR --bad DIR [--cycles N] [--every N] [--warmup N] "
                 "[--apply none|restore|full] [--state-dir DIR] [--max-growth-mib X]\n";
    std::exit(2);
}

[[noreturn]] void fail(long cycle, const std::string& message) {
    std::cout << "soak: FAILED at cycle " << cycle << ": " << message << std::endl;
    std::exit(1);
}

/// VmRSS of this process in KiB (from /proc/self/status).
long rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
}

/// Open file descriptors of this process.
int open_fds() {
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) return -1;
    int n = 0;
    while (dirent* e = ::readdir(dir)) {
        if (e->d_name[0] != '.') ++n;
    }
    ::closedir(dir);
    return n - 1;  // the directory stream's own descriptor
}

std::string mib(long kib) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(kib) / 1024.0);
    return buf;
}

struct Sample {
    long cycle = 0;
    long rss = 0;
    int fds = 0;
};

Sample sample(long cycle) { return {cycle, rss_kib(), open_fds()}; }

void print(const Sample& s, const std::string& what, double elapsed_s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f s", elapsed_s);
    std::cout << "soak: cycle " << s.cycle << ": rss " << mib(s.rss) << ", open fds " << s.fds << ", "
              << buf << (what.empty() ? "" : " (" + what + ")") << std::endl;
}

/// `text` with a rule no kernel accepts inserted before its last COMMIT.
std::string broken_ruleset(const std::string& text) {
    std::size_t at = text.rfind("COMMIT");
    if (at == std::string::npos) return text + "-A NO-SUCH-CHAIN -j ACCEPT\n";
    return text.substr(0, at) + "-A NO-SUCH-CHAIN -m no-such-match -j ACCEPT\n" + text.substr(at);
}

struct Counts {
    long good = 0, broken = 0, loads = 0, refused = 0;
};

struct Run {
    std::string good, bad, apply_mode, state_dir;
    std::optional<apply::Tools> tools;
    std::string last_v4;  ///< the last good IPv4 text, made broken for the restore error path
    Counts counts;
};

/// Loads `text` with the restore backend; fails the soak when the tool refuses it.
void load(long cycle, Run& run, ir::Family family, const std::string& text) {
    apply::ExecResult r = apply::run_restore(*run.tools, family, text, apply::LoadMode::NoFlush);
    if (!r.ok()) {
        fail(cycle, std::string(ir::family_name(family)) + " restore failed (exit " +
                        std::to_string(r.exit_code) + "): " + r.err + r.error);
    }
    ++run.counts.loads;
}

void run_cycle(long cycle, Run& run) {
    const bool broken = cycle % 2 == 0;
    const std::string& tree = broken ? run.bad : run.good;

    diag::Diagnostics diags;
    Loaded loaded = load_and_check(tree, diags);
    diags.sort();
    const std::string shown = diag::render_all(diags, tree);
    if (broken != diags.has_errors()) {
        fail(cycle, broken ? "the broken tree checked without errors" : "the good tree has errors:\n" + shown);
    }
    if (broken) {
        ++run.counts.broken;
    } else {
        ++run.counts.good;
        diag::Diagnostics compile_diags;
        compile::Compiled compiled = compile::compile(loaded.config, {}, compile_diags);
        const std::string v4 = render::iptables_restore(compiled.ipv4);
        const std::string v6 = render::iptables_restore(compiled.ipv6);
        if (v4.empty() || v6.empty()) fail(cycle, "an empty ruleset");
        run.last_v4 = v4;
        if (run.apply_mode == "restore") {
            load(cycle, run, ir::Family::Ipv4, v4);
            load(cycle, run, ir::Family::Ipv6, v6);
        }
    }
    if (run.apply_mode == "restore" && broken && !run.last_v4.empty()) {
        apply::ExecResult r = apply::run_restore(*run.tools, ir::Family::Ipv4, broken_ruleset(run.last_v4),
                                                 apply::LoadMode::Test);
        if (r.ok()) fail(cycle, "iptables-restore --test accepted a broken ruleset");
        (void)apply::failing_line(r.err);
        ++run.counts.refused;
    }
    if (run.apply_mode == "full") {
        apply::Request request;
        request.config_dir = tree;
        request.state_dir = run.state_dir;
        apply::Report report = apply::apply(request);
        if (broken) {
            if (!report.config_errors || report.loaded != apply::Loaded::Nothing) {
                fail(cycle, "apply did not refuse the broken tree");
            }
            ++run.counts.refused;
        } else {
            if (report.failed || report.config_errors || report.loaded != apply::Loaded::Config) {
                std::string messages;
                for (const auto& m : report.messages) messages += "\n  " + m;
                fail(cycle, "apply of the good tree failed:" + messages);
            }
            ++run.counts.loads;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    Run run;
    run.apply_mode = "restore";
    long cycles = 10000, every = 1000, warmup = 100;
    double max_growth_mib = 1.0;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--good") run.good = value();
        else if (arg == "--bad") run.bad = value();
        else if (arg == "--cycles") cycles = std::strtol(value().c_str(), nullptr, 10);
        else if (arg == "--every") every = std::strtol(value().c_str(), nullptr, 10);
        else if (arg == "--warmup") warmup = std::strtol(value().c_str(), nullptr, 10);
        else if (arg == "--apply") run.apply_mode = value();
        else if (arg == "--state-dir") run.state_dir = value();
        else if (arg == "--max-growth-mib") max_growth_mib = std::strtod(value().c_str(), nullptr);
        else usage("unknown argument " + arg);
    }
    if (run.good.empty() || run.bad.empty()) usage("--good and --bad are needed");
    if (every < 1 || warmup < 2 || cycles <= warmup) usage("need --every >= 1 and --cycles > --warmup >= 2");
    if (run.apply_mode != "none" && run.apply_mode != "restore" && run.apply_mode != "full") {
        usage("--apply none|restore|full");
    }
    if (run.apply_mode == "full" && run.state_dir.empty()) usage("--apply full needs --state-dir");
    if (run.apply_mode == "restore") {
        std::vector<std::string> notes;
        std::string error;
        diag::Diagnostics diags;
        Loaded loaded = load_and_check(run.good, diags);
        run.tools = apply::resolve_tools(loaded.config.settings, notes, error);
        if (!run.tools) usage("no restore programs: " + error);
    }

    std::cout << "soak: " << cycles << " cycles, good tree " << run.good << ", broken tree " << run.bad
              << ", apply " << run.apply_mode << std::endl;
    const auto started = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    const Sample start = sample(0);
    print(start, "start", 0.0);
    Sample baseline;
    for (long cycle = 1; cycle <= cycles; ++cycle) {
        // One cycle per call: everything it made is freed before the RSS is read.
        run_cycle(cycle, run);
        if (cycle == warmup) {
            baseline = sample(cycle);
            print(baseline, "after the warm-up: the baseline", elapsed());
        } else if (cycle % every == 0 || cycle == cycles) {
            print(sample(cycle), cycle == cycles ? "end" : "", elapsed());
        }
    }

    const Sample end = sample(cycles);
    const long growth = end.rss - baseline.rss;
    const bool rss_ok = static_cast<double>(growth) < max_growth_mib * 1024.0;
    const bool fds_ok = end.fds <= baseline.fds;
    std::cout << "soak: " << run.counts.good << " good and " << run.counts.broken << " broken cycles, "
              << run.counts.loads << " rulesets loaded, " << run.counts.refused << " refused; "
              << "open fds " << baseline.fds << " -> " << end.fds << std::endl;
    char line[320];
    std::snprintf(line, sizeof line,
                  "soak: RSS growth %+.2f MiB over %ld cycles after the %ld-cycle warm-up (%s -> %s; "
                  "%s before the first cycle); target < %.1f MiB: %s",
                  static_cast<double>(growth) / 1024.0, cycles - warmup, warmup, mib(baseline.rss).c_str(),
                  mib(end.rss).c_str(), mib(start.rss).c_str(), max_growth_mib,
                  rss_ok && fds_ok ? "ok" : "FAILED");
    std::cout << line << std::endl;
    return rss_ok && fds_ok ? 0 : 1;
}
