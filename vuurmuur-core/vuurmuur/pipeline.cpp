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
    if (!options.keep_tree) {
        model::Builder builder;
        // config.conf from elsewhere: the tree's own is not read, the other one takes its place
        // in the order of the files.
        auto add_config_file = [&] {
            std::error_code ec;
            std::filesystem::path shown = std::filesystem::relative(*options.config_file, root, ec);
            if (ec || shown.empty()) shown = *options.config_file;
            auto text = io::read_config_file(*options.config_file, shown.string(), config::kMaxFileBytes, diags);
            if (text) builder.add("config.conf", config::KvFile::parse(*text, shown.string(), diags), diags);
        };
        bool config_added = false;
        {
            io::TreeLock lock(root, io::TreeLock::Mode::Shared);  // as Store::load
            diag::Diagnostics tree_diags;
            config::for_each_file(root, options.config_file ? tree_diags : diags,
                                  [&](const std::string& rel, const config::KvFile& file) {
                                      if (options.config_file && !config_added && rel >= "config.conf") {
                                          config_added = true;
                                          add_config_file();
                                      }
                                      if (options.config_file && rel == "config.conf") return;
                                      builder.add(rel, file, options.config_file ? tree_diags : diags);
                                  });
            for (const auto& d : tree_diags.all()) {
                if (d.location.file != "config.conf") {
                    diags.report(d.severity, d.code, d.location, d.message, d.hint);
                }
            }
        }
        if (options.config_file && !config_added) add_config_file();
        out.config = builder.finish();
        validate::validate(out.config, diags);
        return out;
    }
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
