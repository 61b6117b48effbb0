// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <optional>

#include "vuurmuur/config/textdir.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/config.h"

/// The whole flow in one place: load -> build -> validate (-> compile -> render -> apply).
namespace vuurmuur {

struct Loaded {
    config::Tree tree;
    model::Config config;
};

/// Loads the tree at `root` (under the store's shared lock), builds the model and validates
/// it. Every problem is in `diags`; the model is returned even when there are errors.
Loaded load_and_check(const std::filesystem::path& root, diag::Diagnostics& diags);

struct LoadOptions {
    /// Settings from this file instead of `<root>/config.conf` (vuurmuur-script -c). Its
    /// diagnostics name it relative to the root.
    std::optional<std::filesystem::path> config_file;
    /// false: Loaded::tree stays empty and each file is built into the model as soon as it is
    /// read and then released, so the whole tree never exists at once (for callers that need
    /// only the model, like compile). The model and the diagnostics are the same.
    bool keep_tree = true;
};
Loaded load_and_check(const std::filesystem::path& root, const LoadOptions& options,
                      diag::Diagnostics& diags);

}  // namespace vuurmuur
