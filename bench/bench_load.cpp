// SPDX-License-Identifier: GPL-2.0-or-later
//
// vuurmuur-bench-load DIR [--repeat N]
//
// Times the front of the pipeline on a config tree:
//   stage load        config::Store::load      (files, KEY="value" syntax, under the shared lock)
//   stage build       model::build             (typed values, rule grammar)
//   stage validate    validate::validate       (cross-object checks)
//   stage load+check  vuurmuur::load_and_check (the three above through the public entry point)
// The first three are the same calls load_and_check makes, run one by one so that each can
// be timed; the total is measured on load_and_check itself. Each repeat runs both, the
// total first. Then prints object/rule/diagnostic counts and the peak RSS: peak_rss_mb
// after the first load_and_check (one load, what the table shows), process_peak_rss_mb at
// the end (all repeats, includes allocator churn).
// See bench_common.h for the output format. Exit status: 0, or 1 when the tree has errors.

#include <cstdlib>
#include <iostream>
#include <string>

#include "bench_common.h"
#include "vuurmuur/config/store.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/build.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/validate/validate.h"

namespace {

using namespace vuurmuur;

[[noreturn]] void usage_error(const std::string& message) {
    std::cerr << "vuurmuur-bench-load: error: " << message << "\n"
              << "Usage: vuurmuur-bench-load DIR [--repeat N]\n";
    std::exit(2);
}

struct Counts {
    std::size_t zones = 0, networks = 0, hosts = 0, groups = 0, interfaces = 0, services = 0;
    std::size_t rules = 0, inactive = 0, separators = 0, blocklist = 0;
    std::size_t files = 0;
    std::size_t errors = 0, warnings = 0, dropped = 0;

    std::size_t objects() const { return zones + networks + hosts + groups + interfaces + services; }
    bool operator==(const Counts&) const = default;
};

Counts count(const config::Tree& tree, const model::Config& c, const diag::Diagnostics& d) {
    Counts n;
    n.zones = c.zones.size();
    n.networks = c.networks.size();
    n.hosts = c.hosts.size();
    n.groups = c.groups.size();
    n.interfaces = c.interfaces.size();
    n.services = c.services.size();
    for (const auto& rule : c.rules) {
        if (rule.is_separator()) ++n.separators;
        else if (!rule.active) ++n.inactive;
        else ++n.rules;
    }
    n.blocklist = c.blocklist.size();
    n.files = tree.files.size();
    n.errors = d.error_count();
    n.warnings = d.warning_count();
    n.dropped = d.dropped();
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    std::string dir;
    std::size_t repeat = 1;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::cout << "Usage: vuurmuur-bench-load DIR [--repeat N]\n";
            return 0;
        }
        if (arg == "--repeat") {
            if (i + 1 >= argc) usage_error("--repeat needs a number");
            char* end = nullptr;
            unsigned long n = std::strtoul(argv[++i], &end, 10);
            if (end == argv[i] || *end != '\0' || n < 1 || n > 1000) {
                usage_error("--repeat needs a number from 1 to 1000");
            }
            repeat = n;
        } else if (!arg.empty() && arg[0] == '-') {
            usage_error("unknown option " + arg);
        } else if (dir.empty()) {
            dir = arg;
        } else {
            usage_error("only one DIR");
        }
    }
    if (dir.empty()) usage_error("no DIR");

    bench::Samples load_ms, build_ms, validate_ms, total_ms;
    Counts staged{}, total{};
    diag::Diagnostics last;  // of the last load_and_check, for printing problems
    double first_rss = 0;
    try {
        for (std::size_t r = 0; r < repeat; ++r) {
            {
                diag::Diagnostics diags;
                Loaded loaded;
                total_ms.add(bench::time_ms([&] { loaded = load_and_check(dir, diags); }));
                total = count(loaded.tree, loaded.config, diags);
                if (r + 1 == repeat) last = std::move(diags);
            }
            // ru_maxrss only grows: read after the very first run, it is the peak of one
            // load_and_check (plus the program's baseline), not of heap churn over repeats.
            if (r == 0) first_rss = bench::peak_rss_mb();
            {
                diag::Diagnostics diags;
                config::Store store(dir);
                config::Tree tree;
                model::Config config;
                load_ms.add(bench::time_ms([&] { tree = store.load(diags); }));
                build_ms.add(bench::time_ms([&] { config = model::build(tree, diags); }));
                validate_ms.add(bench::time_ms([&] { validate::validate(config, diags); }));
                staged = count(tree, config, diags);
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "vuurmuur-bench-load: error: " << e.what() << "\n";
        return 2;
    }
    const double process_rss = bench::peak_rss_mb();

    std::cout << "tree " << dir << "\n";
    std::cout << bench::stage_line("load", load_ms).str() << "\n";
    std::cout << bench::stage_line("build", build_ms).str() << "\n";
    std::cout << bench::stage_line("validate", validate_ms).str() << "\n";
    std::cout << bench::stage_line("load+check", total_ms).str() << "\n";
    std::cout << bench::Line("count", "objects")
                     .add("total", total.objects())
                     .add("zones", total.zones)
                     .add("networks", total.networks)
                     .add("hosts", total.hosts)
                     .add("groups", total.groups)
                     .add("interfaces", total.interfaces)
                     .add("services", total.services)
                     .str()
              << "\n";
    std::cout << bench::Line("count", "rules")
                     .add("total", total.rules + total.inactive)
                     .add("active", total.rules)
                     .add("inactive", total.inactive)
                     .add("separators", total.separators)
                     .add("blocklist", total.blocklist)
                     .str()
              << "\n";
    std::cout << bench::Line("count", "files").add("total", total.files).str() << "\n";
    std::cout << bench::Line("count", "diagnostics")
                     .add("errors", total.errors)
                     .add("warnings", total.warnings)
                     .add("dropped", total.dropped)
                     .str()
              << "\n";
    std::cout << bench::Line("memory", "peak")
                     .add("peak_rss_mb", bench::fixed(first_rss, 1))
                     .add("process_peak_rss_mb", bench::fixed(process_rss, 1))
                     .str()
              << "\n";

    if (!(staged == total)) {
        std::cerr << "vuurmuur-bench-load: warning: the staged run and load_and_check disagree "
                     "on counts; the stage timings may not describe load_and_check\n";
    }
    if (total.errors != 0) {
        std::cerr << "vuurmuur-bench-load: the tree has " << total.errors << " error(s); first ones:\n";
        last.sort();
        std::size_t shown = 0;
        for (const auto& d : last.all()) {
            if (d.severity != diag::Severity::Error) continue;
            std::cerr << diag::render(d, dir);
            if (++shown == 10) break;
        }
        return 1;
    }
    return 0;
}
