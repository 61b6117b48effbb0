// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/pipeline.h"

#include "vuurmuur/config/store.h"
#include "vuurmuur/io/file_io.h"
#include "vuurmuur/model/build.h"
#include "vuurmuur/validate/validate.h"

namespace vuurmuur {

Loaded load_and_check(const std::filesystem::path& root, diag::Diagnostics& diags) {
    return load_and_check(root, LoadOptions{}, diags);
}

Loaded load_and_check(const std::filesystem::path& root, const LoadOptions& options,
                      diag::Diagnostics& diags) {
    Loaded out;
    config::Store store(root);
    if (!options.config_file) {
        out.tree = store.load(diags);        // stage 1: files, syntax of KEY="value" lines
    } else {
        // The tree's own config.conf is replaced by the file given; diagnostics name that one.
        diag::Diagnostics tree_diags;
        out.tree = store.load(tree_diags);
        for (const auto& d : tree_diags.all()) {
            if (d.location.file != "config.conf") {
                diags.report(d.severity, d.code, d.location, d.message, d.hint);
            }
        }
        out.tree.files.erase("config.conf");
        std::error_code ec;
        std::filesystem::path shown = std::filesystem::relative(*options.config_file, root, ec);
        if (ec || shown.empty()) shown = *options.config_file;
        auto text = io::read_config_file(*options.config_file, shown.string(), config::kMaxFileBytes, diags);
        if (text) {
            out.tree.files.insert_or_assign("config.conf",
                                            config::KvFile::parse(*text, shown.string(), diags));
        }
    }
    out.config = model::build(out.tree, diags);  // stage 2: typed values, rule grammar
    validate::validate(out.config, diags);   // stage 3: cross-object checks
    return out;
}

}  // namespace vuurmuur
