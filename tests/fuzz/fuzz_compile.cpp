// SPDX-License-Identifier: GPL-2.0-or-later
//
// Fuzz target: compile + render of a loaded tree. The input is a packed tree (pack format:
// fuzz_support.h), loaded from this process's scratch directory with load_and_check. A tree
// with errors is never compiled (as in `vuurmuur-script compile`); the seeds are complete,
// valid trees (the shipped defaults and the golden compile cases), so most mutants still
// check and reach the compiler.
//
// Properties:
//   * no crash, no sanitizer report, no unbounded time or memory;
//   * deterministic: compiling the same model twice and rendering each gives the same bytes,
//     for both families, and the chunked renderer writes exactly what the string one returns;
//   * a re-apply render (every chain already in the kernel) is deterministic too.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/ir/ruleset.h"
#include "vuurmuur/model/dump.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"

namespace {

using namespace vuurmuur;

struct Rendered {
    std::string v4, v6, v4_existing, v6_existing, ir4, ir6;
    bool operator==(const Rendered&) const = default;
};

render::RenderOptions every_chain_exists(const ir::Ruleset& rs) {
    render::RenderOptions options;
    for (const auto& table : rs.tables) {
        for (const auto& chain : table.chains) options.existing_chains[table.name].insert(chain.name);
    }
    return options;
}

Rendered compile_and_render(const model::Config& config) {
    diag::Diagnostics diags;
    compile::Compiled compiled = compile::compile(config, {}, diags);
    (void)diag::render_all(diags, "");
    Rendered r;
    r.v4 = render::iptables_restore(compiled.ipv4);
    r.v6 = render::iptables_restore(compiled.ipv6);
    r.v4_existing = render::iptables_restore(compiled.ipv4, every_chain_exists(compiled.ipv4));
    r.v6_existing = render::iptables_restore(compiled.ipv6, every_chain_exists(compiled.ipv6));
    r.ir4 = ir::dump(compiled.ipv4);
    r.ir6 = ir::dump(compiled.ipv6);

    std::string chunked;
    render::iptables_restore(compiled.ipv4, {}, [&](std::string_view chunk) { chunked += chunk; });
    if (chunked != r.v4) {
        fuzz::fail("the chunked renderer differs from the string renderer",
                   "--- string:\n" + fuzz::printable(r.v4) + "\n--- chunked:\n" + fuzz::printable(chunked));
    }
    (void)ir::worst_case_new_forward(compiled.ipv4);
    return r;
}

std::string first_difference(const std::string& a, const std::string& b) {
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    std::size_t from = i < 200 ? 0 : i - 200;
    return "at byte " + std::to_string(i) + "\n--- first:\n" + fuzz::printable(a.substr(from, 400)) +
           "\n--- second:\n" + fuzz::printable(b.substr(from, 400));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& root = fuzz::Scratch::instance().write(fuzz::unpack(data, size));
    diag::Diagnostics diags;
    Loaded loaded = load_and_check(root, diags);
    if (diags.has_errors()) return 0;

    (void)model::dump(loaded.config);
    const Rendered first = compile_and_render(loaded.config);
    const Rendered second = compile_and_render(loaded.config);
    if (!(first == second)) {
        std::string where;
        if (first.v4 != second.v4) where = "ipv4 " + first_difference(first.v4, second.v4);
        else if (first.v6 != second.v6) where = "ipv6 " + first_difference(first.v6, second.v6);
        else if (first.v4_existing != second.v4_existing) where = "ipv4 (existing chains) " + first_difference(first.v4_existing, second.v4_existing);
        else if (first.v6_existing != second.v6_existing) where = "ipv6 (existing chains) " + first_difference(first.v6_existing, second.v6_existing);
        else if (first.ir4 != second.ir4) where = "ipv4 IR " + first_difference(first.ir4, second.ir4);
        else where = "ipv6 IR " + first_difference(first.ir6, second.ir6);
        fuzz::fail("compiling the same model twice rendered different bytes", where);
    }
    return 0;
}
