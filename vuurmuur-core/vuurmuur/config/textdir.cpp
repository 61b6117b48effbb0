// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/config/textdir.h"

#include <algorithm>
#include <functional>
#include <string_view>

#include "vuurmuur/io/file_io.h"
#include "vuurmuur/model/name.h"

namespace vuurmuur::config {

namespace fs = std::filesystem;

namespace {

bool has_suffix(std::string_view s, std::string_view suffix) {
    return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// Names of objects whose file is `<name><suffix>` in `dir`; reports anything else.
std::vector<std::string> object_files(const fs::path& root, const std::string& rel_dir,
                                      std::string_view suffix, diag::Diagnostics& diags) {
    std::vector<std::string> names;
    auto entries = io::list_dir(root / rel_dir, rel_dir, true, diags);
    if (!entries) return names;
    if (entries->size() > kMaxEntriesPerDirectory) {
        diags.report(diag::Code::TooMany, {rel_dir, 0, 0},
                     std::to_string(entries->size()) + " entries; at most " +
                         std::to_string(kMaxEntriesPerDirectory) + " are read");
        entries->resize(kMaxEntriesPerDirectory);
    }
    for (const auto& e : *entries) {
        std::string rel = rel_dir + "/" + e.name;
        if (suffix.empty()) {
            // services/: every regular file is a service, but for the original's exceptions.
            if (e.name.rfind("Makefile", 0) == 0) continue;
            if (e.is_dir) {
                diags.report(diag::Code::UnexpectedFile, {rel, 0, 0}, "not a regular file; ignored");
                continue;
            }
            if (!model::is_valid_name_part(e.name)) {
                diags.report(diag::Code::BadName, {rel, 0, 0},
                             "'" + e.name + "' is not a valid service name; the file is ignored",
                             "service names are [a-zA-Z0-9_-], 1-32 characters");
                continue;
            }
            names.push_back(e.name);
            continue;
        }
        // A FIFO, socket or device with the right name goes on to read_config_file, which
        // reports it (an error) without opening it.
        if (e.is_dir || !has_suffix(e.name, suffix)) {
            diags.report(diag::Code::UnexpectedFile, {rel, 0, 0},
                         "not a *" + std::string(suffix) + " file; ignored");
            continue;
        }
        std::string name = e.name.substr(0, e.name.size() - suffix.size());
        if (!model::is_valid_name_part(name)) {
            diags.report(diag::Code::BadName, {rel, 0, 0},
                         "'" + name + "' is not a valid name; the file is ignored",
                         "names are [a-zA-Z0-9_-], 1-32 characters");
            continue;
        }
        names.push_back(name);
    }
    return names;
}

/// Subdirectories that are valid object names.
std::vector<std::string> object_dirs(const fs::path& root, const std::string& rel_dir,
                                     diag::Diagnostics& diags) {
    std::vector<std::string> names;
    auto entries = io::list_dir(root / rel_dir, rel_dir, true, diags);
    if (!entries) return names;
    if (entries->size() > kMaxEntriesPerDirectory) {
        diags.report(diag::Code::TooMany, {rel_dir, 0, 0},
                     std::to_string(entries->size()) + " entries; at most " +
                         std::to_string(kMaxEntriesPerDirectory) + " are read");
        entries->resize(kMaxEntriesPerDirectory);
    }
    for (const auto& e : *entries) {
        std::string rel = rel_dir + "/" + e.name;
        if (!e.is_dir) {
            diags.report(diag::Code::UnexpectedFile, {rel, 0, 0}, "not a directory; ignored");
            continue;
        }
        if (!model::is_valid_name_part(e.name)) {
            diags.report(diag::Code::BadName, {rel, 0, 0},
                         "'" + e.name + "' is not a valid name; the directory is ignored",
                         "names are [a-zA-Z0-9_-], 1-32 characters");
            continue;
        }
        names.push_back(e.name);
    }
    return names;
}

}  // namespace

const KvFile* Tree::find(const std::string& rel) const {
    auto it = files.find(rel);
    return it == files.end() ? nullptr : &it->second;
}

bool load_file(Tree& tree, const std::string& rel, diag::Diagnostics& diags) {
    auto text = io::read_config_file(tree.root / rel, rel, kMaxFileBytes, diags);
    if (!text) {
        tree.files.erase(rel);
        return false;
    }
    tree.files.insert_or_assign(rel, KvFile::parse(*text, rel, diags));
    return true;
}

namespace {

/// The walk of the tree: `visit(rel)` for every file to read, in walk order (rules files only
/// when present).
void walk_textdir(const fs::path& root, diag::Diagnostics& diags,
                  const std::function<void(const std::string&)>& visit) {
    // The root listing reports symlinks among the top-level entries; only entries it returns
    // are read, so nothing is read through a link (and nothing is reported twice).
    auto top = io::list_dir(root, "", false, diags);
    if (!top) return;
    auto listed = [&](std::string_view name) {
        return std::any_of(top->begin(), top->end(),
                           [&](const io::DirEntry& e) { return e.name == name; });
    };
    auto load_if_present = [&](const std::string& rel) {
        std::error_code ec;  // not the throwing overload: EACCES is a diagnostic, not an exception
        if (fs::symlink_status(root / rel, ec).type() != fs::file_type::not_found) {
            visit(rel);
        }
    };
    if (listed("config.conf")) visit("config.conf");

    std::vector<std::string> zones;
    if (listed("zones")) zones = object_dirs(root, "zones", diags);
    for (const auto& zone : zones) {
        std::string zdir = "zones/" + zone;
        visit(zdir + "/zone.config");
        for (const auto& net : object_dirs(root, zdir + "/networks", diags)) {
            std::string ndir = zdir + "/networks/" + net;
            visit(ndir + "/network.config");
            for (const auto& host : object_files(root, ndir + "/hosts", ".host", diags)) {
                visit(ndir + "/hosts/" + host + ".host");
            }
            for (const auto& group : object_files(root, ndir + "/groups", ".group", diags)) {
                visit(ndir + "/groups/" + group + ".group");
            }
        }
    }
    if (listed("interfaces")) {
        for (const auto& iface : object_files(root, "interfaces", ".conf", diags)) {
            visit("interfaces/" + iface + ".conf");
        }
    }
    if (listed("services")) {
        for (const auto& service : object_files(root, "services", "", diags)) {
            visit("services/" + service);
        }
    }
    if (listed("rules")) {
        // rules/ is not listed, its two files are looked up by name: a `rules` that is not a
        // directory would otherwise read as a tree without any rule.
        auto rules = std::find_if(top->begin(), top->end(),
                                  [](const io::DirEntry& e) { return e.name == "rules"; });
        if (!rules->is_dir) {
            diags.report(diag::Code::Unreadable, {"rules", 0, 0}, "not a directory");
        } else {
            load_if_present("rules/rules.conf");
            load_if_present("rules/blocklist.conf");
        }
    }
}

}  // namespace

Tree load_textdir(const fs::path& root, diag::Diagnostics& diags) {
    Tree tree;
    tree.root = root;
    walk_textdir(root, diags, [&](const std::string& rel) { load_file(tree, rel, diags); });
    return tree;
}

void for_each_file(const fs::path& root, diag::Diagnostics& diags,
                   const std::function<void(const std::string&, const KvFile&)>& use) {
    std::vector<std::string> rels;
    walk_textdir(root, diags, [&](const std::string& rel) { rels.push_back(rel); });
    std::sort(rels.begin(), rels.end());  // the order of Tree::files
    rels.erase(std::unique(rels.begin(), rels.end()), rels.end());
    for (const auto& rel : rels) {
        auto text = io::read_config_file(root / rel, rel, kMaxFileBytes, diags);
        if (!text) continue;
        KvFile file = KvFile::parse(*text, rel, diags);
        text.reset();
        use(rel, file);
    }
}

}  // namespace vuurmuur::config
