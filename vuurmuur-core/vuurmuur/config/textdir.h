// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "vuurmuur/config/kvfile.h"
#include "vuurmuur/diag/diagnostic.h"

/// Stage 1, load: walks a textdir config tree (Vuurmuur 0.8 layout) into parsed files.
///
///   config.conf
///   zones/<zone>/zone.config
///   zones/<zone>/networks/<net>/network.config
///   zones/<zone>/networks/<net>/hosts/<host>.host
///   zones/<zone>/networks/<net>/groups/<group>.group
///   interfaces/<iface>.conf
///   services/<service>
///   rules/rules.conf, rules/blocklist.conf
///
/// Only these depths are walked, so nesting cannot recurse; names are checked; every file is
/// read with the limits of io::read_config_file.
namespace vuurmuur::config {

struct Tree {
    std::filesystem::path root;
    /// Every file read, by path relative to the root; sorted, so iteration is deterministic.
    std::map<std::string, KvFile> files;

    const KvFile* find(const std::string& rel) const;
};

/// Reads the whole tree. Problems are reported; what can be read is returned.
Tree load_textdir(const std::filesystem::path& root, diag::Diagnostics& diags);

/// The same files as load_textdir(), in the same order (Tree::files'), each handed to `use`
/// and released before the next is read: for a caller that needs each file only once (the
/// model build of `vuurmuur-script compile`), so that the whole tree never has to be held.
/// Diagnostics are the same; those of listing directories come before those of reading.
void for_each_file(const std::filesystem::path& root, diag::Diagnostics& diags,
                   const std::function<void(const std::string&, const KvFile&)>& use);

/// Reads one file of the tree into `tree` (used after edits and by the store).
bool load_file(Tree& tree, const std::string& rel, diag::Diagnostics& diags);

/// Upper bounds on what one tree may hold.
inline constexpr std::size_t kMaxEntriesPerDirectory = 100000;

}  // namespace vuurmuur::config
