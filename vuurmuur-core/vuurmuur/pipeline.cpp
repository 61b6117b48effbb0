// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/pipeline.h"

#include "vuurmuur/config/store.h"
#include "vuurmuur/model/build.h"
#include "vuurmuur/validate/validate.h"

namespace vuurmuur {

Loaded load_and_check(const std::filesystem::path& root, diag::Diagnostics& diags) {
    Loaded out;
    config::Store store(root);
    out.tree = store.load(diags);            // stage 1: files, syntax of KEY="value" lines
    out.config = model::build(out.tree, diags);  // stage 2: typed values, rule grammar
    validate::validate(out.config, diags);   // stage 3: cross-object checks
    return out;
}

}  // namespace vuurmuur
