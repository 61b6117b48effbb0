// SPDX-License-Identifier: GPL-2.0-or-later
//
// vuurmuur-bench-compile DIR [--repeat N]
//
// The whole `vuurmuur-script compile` path on a config tree, as one process would run it:
// load_and_check (keep_tree=false, as vuurmuur-script compile loads), then compile both
// families and render them to iptables-restore text.
//   stage compile     compile::compile_family + render::iptables_restore, IPv4 then IPv6
//                     (each family released before the next, as vuurmuur-script compile does)
//   stage compile_cpu the CPU time (user + system) of the same, for a machine shared with
//                     other work (the wall time above is what the target is about)
//   stage total       load_and_check + compile + render
//   count emitted     rules in the IPv4 + IPv6 rulesets; worst_per_new_packet: the most
//                     filter rules a NEW forwarded IPv4 packet can be tested against
//   memory peak       peak RSS of the first full run
// Output format: bench_common.h. Exit status: 0, or 1 when the tree has errors.

#include <cstdlib>
#include <iostream>
#include <string>

#include "bench_common.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"

int main(int argc, char** argv) {
    using namespace vuurmuur;
    std::string dir;
    std::size_t repeat = 1;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--repeat" && i + 1 < argc) {
            repeat = std::strtoul(argv[++i], nullptr, 10);
            if (repeat < 1 || repeat > 1000) repeat = 1;
        } else if (dir.empty() && !arg.empty() && arg[0] != '-') {
            dir = arg;
        } else {
            std::cerr << "Usage: vuurmuur-bench-compile DIR [--repeat N]\n";
            return 2;
        }
    }
    if (dir.empty()) {
        std::cerr << "Usage: vuurmuur-bench-compile DIR [--repeat N]\n";
        return 2;
    }
    bench::Samples compile_ms, compile_cpu_ms, total_ms;
    std::size_t emitted = 0, worst = 0, bytes = 0;
    double first_rss = 0;
    for (std::size_t r = 0; r < repeat; ++r) {
        diag::Diagnostics diags;
        model::Config config;
        double load = bench::time_ms([&] {
            // As `vuurmuur-script compile` loads: only the model is kept, each file is released
            // as soon as it is built into the model.
            LoadOptions options;
            options.keep_tree = false;
            config = load_and_check(dir, options, diags).config;
        });
        if (diags.has_errors()) {
            std::cerr << "vuurmuur-bench-compile: the tree has errors\n" << diag::render_all(diags, dir);
            return 1;
        }
        double cpu_start = bench::process_cpu_ms();
        double ms = bench::time_ms([&] {
            // As `vuurmuur-script compile` does it: one family at a time, compiled, rendered in
            // chunks as it writes them to stdout (a pipe takes them; here they are only
            // counted) and released before the next family is compiled.
            bytes = 0;
            emitted = 0;
            auto count = [&](std::string_view chunk) { bytes += chunk.size(); };
            for (ir::Family family : {ir::Family::Ipv4, ir::Family::Ipv6}) {
                ir::Ruleset rs = compile::compile_family(config, family, {}, diags);
                render::iptables_restore(rs, {}, count);
                emitted += rs.rule_count();
                if (family == ir::Family::Ipv4) worst = ir::worst_case_new_forward(rs);
            }
        });
        compile_cpu_ms.add(bench::process_cpu_ms() - cpu_start);
        compile_ms.add(ms);
        total_ms.add(load + ms);
        if (r == 0) first_rss = bench::peak_rss_mb();
    }
    std::cout << "tree " << dir << "\n";
    std::cout << bench::stage_line("compile", compile_ms).str() << "\n";
    std::cout << bench::stage_line("compile_cpu", compile_cpu_ms).str() << "\n";
    std::cout << bench::stage_line("total", total_ms).str() << "\n";
    std::cout << bench::Line("count", "emitted")
                     .add("rules", emitted)
                     .add("worst_per_new_packet", worst)
                     .add("text_bytes", bytes)
                     .str()
              << "\n";
    std::cout << bench::Line("memory", "compile").add("peak_rss_mb", bench::fixed(first_rss, 1)).str() << "\n";
    return 0;
}
