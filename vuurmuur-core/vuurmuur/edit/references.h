// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vuurmuur/config/textdir.h"
#include "vuurmuur/model/schema.h"

/// Who names an object: rules (service, from, to, in_int/out_int/via_int), blocklist
/// entries, group members and networks' INTERFACE. Used to refuse deletes and to carry
/// renames through the tree.
namespace vuurmuur::edit {

/// An object by kind and full name (host.network.zone, network.zone, zone, service, ...).
struct ObjectRef {
    model::ObjectKind kind = model::ObjectKind::Zone;
    std::string name;
};

/// A rule's from/to word or a blocklist item, with `target` renamed to `new_name` (a full
/// name of the same kind), when the word names the target or an object inside it (a network
/// of a renamed zone, a host of a renamed network, `net.zone(broadcast)`); else nullopt.
std::optional<std::string> renamed_word(const ObjectRef& target, const std::string& new_name,
                                        std::string_view word);

/// A rules.conf RULE value with every reference to `target` renamed, the rest of the text
/// unchanged byte for byte; nullopt when the rule does not name the target (or does not parse).
std::optional<std::string> renamed_rule(const ObjectRef& target, const std::string& new_name,
                                        std::string_view value);

/// One line that names the target.
struct Hit {
    std::string file;       ///< relative path
    std::size_t index = 0;  ///< 0-based line index in that file (KvFile::lines())
    std::string key;        ///< RULE, MEMBER or INTERFACE
    std::string old_value;
    std::string new_value;  ///< the value after the rename (equal to old_value when only found)
    std::string what;       ///< for people: "rule 3: accept service ..." / "group g.n.z MEMBER 'pc'"
};

/// Every line of `tree` that names `target`, with its value after a rename to `new_name`
/// (pass target.name to only find them). Files in tree order.
std::vector<Hit> find_references(const config::Tree& tree, const ObjectRef& target,
                                 const std::string& new_name);

}  // namespace vuurmuur::edit
