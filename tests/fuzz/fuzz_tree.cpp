// SPDX-License-Identifier: GPL-2.0-or-later
//
// Fuzz target: a whole config tree packed into one input (pack format: fuzz_support.h).
// Unpacks it into this process's scratch directory and runs the real loader on it:
// vuurmuur::load_and_check (textdir walk, file reads with their limits, KvFile, model build,
// validate), then the read-only views of the CLI (-L and -P of every object).
//
// Properties: no crash, no sanitizer report, no unbounded time or memory.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/schema.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/view/listing.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace vuurmuur;
    const auto& root = fuzz::Scratch::instance().write(fuzz::unpack(data, size));

    diag::Diagnostics diags;
    Loaded loaded = load_and_check(root, diags);
    diags.sort();
    (void)diag::render_all(diags, root.string());

    using K = model::ObjectKind;
    for (K kind : {K::Zone, K::Network, K::Host, K::Group, K::Interface, K::Service}) {
        for (const auto& name : view::list_objects(loaded.config, kind, "any")) {
            (void)view::print_object(loaded.tree, kind, name, "", false);
            (void)view::object_variables(loaded.tree, kind, name, "");
        }
    }
    (void)view::print_object(loaded.tree, K::Ruleset, "rules", "", true);
    (void)view::print_object(loaded.tree, K::Ruleset, "blocklist", "", false);
    return 0;
}
