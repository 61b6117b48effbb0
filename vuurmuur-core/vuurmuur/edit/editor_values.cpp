// SPDX-License-Identifier: GPL-2.0-or-later
// Editor: modify, the rules list and the blocklist.
#include <algorithm>

#include "vuurmuur/base/ip.h"
#include "vuurmuur/base/strings.h"
#include "vuurmuur/edit/editor.h"
#include "vuurmuur/edit/editor_session.h"
#include "vuurmuur/edit/values.h"
#include "vuurmuur/model/name.h"
#include "vuurmuur/validate/validate.h"
#include "vuurmuur/view/listing.h"

namespace vuurmuur::edit {

using model::ObjectKind;

namespace {

constexpr const char* kRulesFile = "rules/rules.conf";
constexpr const char* kBlocklistFile = "rules/blocklist.conf";
/// The location given to a rule or block item under test, to pick its diagnostics.
constexpr const char* kCandidate = "<candidate>";

std::string kind_str(ObjectKind kind) { return std::string(model::kind_name(kind)); }
std::string shown(std::string_view s) { return "'" + base::printable(s, 80) + "'"; }

bool has_hidden_values(const config::KvFile& file, std::string_view key) {
    auto all = file.entries(key);
    auto used = file.values(key);
    if (all.size() == used.size()) return false;
    return !(all.size() == 1 && all.front()->value.empty());
}

Result hidden_values_error(const config::KvFile& file, std::string_view key) {
    const config::KvLine* empty = file.entries(key)[file.values(key).size()];
    return fail(Status::DataInconsistency,
                file.path() + ":" + std::to_string(file.line_of(empty)) + ": an empty " +
                    std::string(key) + "=\"\" hides the values after it (as in the original); " +
                    "remove that line first");
}

/// The first error the validator reports for `rule` in the context of the tree (unknown
/// services, objects and interfaces, options that do not fit the action), or empty. The rule
/// is checked as if it were active.
std::string rule_problem(const model::Config& config, model::Rule rule) {
    if (rule.is_separator()) return {};
    model::Config candidate = config;
    candidate.rules.clear();
    candidate.blocklist.clear();
    rule.active = true;
    rule.location = {kCandidate, 1, 1};
    candidate.rules.push_back(std::move(rule));
    diag::Diagnostics diags;
    validate::validate(candidate, diags);
    for (const auto& d : diags.all()) {
        if (d.location.file == kCandidate && d.severity == diag::Severity::Error) {
            return d.message + (d.hint.empty() ? std::string() : " (" + d.hint + ")");
        }
    }
    return {};
}

/// NotFound when a blocked host or group does not exist.
std::optional<Result> block_item_problem(const model::Config& config, std::string_view item) {
    if (base::Ipv4::parse(item) || base::Ipv6::parse(item)) return std::nullopt;
    auto name = model::ObjectName::parse(item);
    if (!name || name->kind != model::ObjectName::Kind::HostOrGroup) {
        return fail(Status::CommandLine, "cannot block " + shown(item) +
                                             ": give an IP address, a host or a group "
                                             "(networks and zones cannot be blocked)");
    }
    if (config.find_host(name->host, name->network, name->zone) == nullptr &&
        config.find_group(name->host, name->network, name->zone) == nullptr) {
        return fail(Status::NotFound, "host or group " + shown(item) + " does not exist");
    }
    return std::nullopt;
}

/// The item of a blocklist value ("block x" / ";block x"), and whether it is active.
std::pair<std::string, bool> block_item(std::string_view value) {
    std::string_view text = base::trim(value);
    bool active = true;
    if (!text.empty() && text.front() == ';') {
        active = false;
        text = base::trim(text.substr(1));
    }
    if (base::starts_with_icase(text, "block ")) text = base::trim(text.substr(6));
    return {std::string(text), active};
}

std::string join_values_of(const config::KvFile& file, std::string_view key) {
    std::vector<std::string> values;
    for (const auto* line : file.values(key)) values.push_back(line->value);
    return base::join(values, ", ");
}

std::string numbered(std::size_t n, std::string_view text) {
    return std::to_string(n) + ": " + unescape_rule_value(text);
}

/// Checks of a value against the tree; nullopt when it fits.
std::optional<Result> context_problem(Editor::Session& s, ObjectKind kind, const std::string& name,
                                      const std::string& rel, std::string_view key,
                                      const std::string& value) {
    if (value.empty()) return std::nullopt;
    auto parts = base::split(name, '.');
    const model::Config& c = s.config;
    auto inconsistent = [](std::string message) {
        return std::optional<Result>(fail(Status::DataInconsistency, std::move(message)));
    };
    if (kind == ObjectKind::Host && (key == "IPADDRESS" || key == "IPV6ADDRESS")) {
        const model::Network* net = c.find_network(parts[1], parts[2]);
        if (net == nullptr) return std::nullopt;  // a network that does not build: check reports it
        if (key == "IPADDRESS") {
            auto ip = *base::Ipv4::parse(value);
            if (!net->ipv4) {
                return inconsistent("network " + net->full_name() +
                                    " has no IPv4 network; set its NETWORK and NETMASK first");
            }
            if (!(ip.value > net->ipv4->network().value && ip.value < net->ipv4->broadcast().value)) {
                return inconsistent("host address " + ip.str() + " is not inside network " +
                                    net->full_name() + " (" + net->ipv4->str() +
                                    "); it must lie strictly between " + net->ipv4->network().str() +
                                    " and " + net->ipv4->broadcast().str());
            }
        } else {
            auto ip = *base::Ipv6::parse(value);
            if (!net->ipv6) {
                return inconsistent("network " + net->full_name() +
                                    " has no IPv6 prefix; set its IPV6NETWORK and IPV6CIDR first");
            }
            if (!net->ipv6->contains(ip)) {
                return inconsistent("host address " + ip.str() + " is not inside network " +
                                    net->full_name() + " (" + net->ipv6->str() + ")");
            }
        }
    }
    if (kind == ObjectKind::Network) {
        const config::KvFile& file = s.tx.file(rel);
        auto current = [&](std::string_view k) {
            const config::KvLine* line = file.first(k);
            return line ? line->value : std::string();
        };
        if (key == "NETWORK" || key == "NETMASK") {
            auto address = base::Ipv4::parse(key == "NETWORK" ? value : current("NETWORK"));
            auto mask = base::Ipv4::parse(key == "NETMASK" ? value : current("NETMASK"));
            auto prefix = mask ? base::netmask_to_prefix(*mask) : std::nullopt;
            if (address && prefix) {
                base::Ipv4Net net{*address, *prefix};
                if (net.network() != *address) {
                    return inconsistent("network address " + address->str() +
                                        " has host bits set for netmask " + mask->str() +
                                        "; the network address is " + net.network().str());
                }
            }
        }
        if (key == "IPV6NETWORK" || key == "IPV6CIDR") {
            auto address = base::Ipv6::parse(key == "IPV6NETWORK" ? value : current("IPV6NETWORK"));
            auto prefix = base::parse_uint(key == "IPV6CIDR" ? value : current("IPV6CIDR"), 128);
            if (address && prefix) {
                base::Ipv6Net net{*address, static_cast<int>(*prefix)};
                if (net.has_host_bits()) {
                    return inconsistent("IPv6 network " + address->str() + " has bits set beyond /" +
                                        std::to_string(*prefix) + "; the network is " +
                                        net.network().str());
                }
            }
        }
        if (key == "INTERFACE" && c.find_interface(value) == nullptr) {
            return inconsistent("interface " + shown(value) + " does not exist (create it with -C -i " +
                                value + ")");
        }
    }
    if (kind == ObjectKind::Group && key == "MEMBER" &&
        c.find_host(value, parts[1], parts[2]) == nullptr) {
        if (c.find_group(value, parts[1], parts[2]) != nullptr) {
            return inconsistent(shown(value) + " is a group; groups cannot contain groups");
        }
        return inconsistent("network " + parts[1] + "." + parts[2] + " has no host " + shown(value) +
                            "; members are hosts of the group's own network");
    }
    if (kind == ObjectKind::Ruleset && name == "rules") {
        std::string error;
        auto rule = parse_rule_text(value, error);
        if (!rule) return fail(Status::CommandLine, error);
        std::string problem = rule_problem(c, *rule);
        if (!problem.empty()) return inconsistent("rule does not fit the tree: " + problem);
    }
    if (kind == ObjectKind::Ruleset && name == "blocklist") {
        return block_item_problem(c, block_item(value).first);
    }
    return std::nullopt;
}

/// rules.conf for writing (a new file when there is none).
config::KvFile& writable(Editor::Session& s, const std::string& rel) {
    return s.tx.exists(rel) ? s.tx.file(rel) : s.tx.create(rel);
}

/// The rules file's RULE values, or a failure when an empty RULE hides some.
std::optional<Result> rules_problem(Editor::Session& s) {
    if (!s.tx.exists(kRulesFile)) return std::nullopt;
    const config::KvFile& file = s.tx.file(kRulesFile);
    if (has_hidden_values(file, "RULE")) return hidden_values_error(file, "RULE");
    return std::nullopt;
}

std::size_t rule_count(Editor::Session& s) {
    return s.tx.exists(kRulesFile) ? s.tx.file(kRulesFile).values("RULE").size() : 0;
}

Result no_such_rule(std::size_t number, std::size_t count) {
    return fail(Status::NotFound, "there is no rule " + std::to_string(number) + " (rules.conf has " +
                                      std::to_string(count) + (count == 1 ? " rule)" : " rules)"));
}

}  // namespace

Result Editor::modify(ObjectKind kind, const std::string& name, const std::string& variable,
                      const std::string& value, WriteMode mode) {
    auto rel = view::object_file(kind, name);
    if (!rel) {
        return fail(Status::CommandLine, shown(name) + " is not a valid " + kind_str(kind) + " name");
    }
    const model::KeySpec* spec = modifiable(kind, variable);
    ValueCheck checked = check_value(kind, name, variable, value);
    if (spec == nullptr || !checked.ok) return fail(Status::CommandLine, checked.error);
    const std::string key(spec->key);
    if (!spec->multi && mode == WriteMode::Append) {
        return fail(Status::CommandLine, key + " holds one value; --append is for the multi-valued "
                                               "variables (INTERFACE, RULE, MEMBER, TCP, UDP, ...)");
    }
    if (kind == ObjectKind::Ruleset && name == "rules" && mode == WriteMode::Append) {
        return rule_add(value, std::nullopt);
    }
    if (kind == ObjectKind::Ruleset && name == "blocklist" && mode == WriteMode::Append) {
        auto [item, active] = block_item(checked.value);
        if (active) return block(item);
    }
    return run([&](Session& s) -> Result {
        if (kind != ObjectKind::Ruleset && !s.tx.exists(*rel)) {
            return fail(Status::NotFound, kind_str(kind) + " " + shown(name) + " does not exist");
        }
        if (auto problem = context_problem(s, kind, name, *rel, key, checked.value)) return *problem;
        config::KvFile& file = writable(s, *rel);
        Result r;
        if (!spec->multi) {
            const config::KvLine* line = file.first(key);
            std::string old = line ? line->value : std::string();
            if (line != nullptr && old == checked.value && file.entries(key).size() == 1) {
                r.message = kind_str(kind) + " " + name + ": " + key + " is " + shown(old) + " already";
                return r;
            }
            file.set(key, {checked.value});
            s.record("modify", kind, name, key, old, checked.value);
        } else if (mode == WriteMode::Overwrite) {
            std::string old = join_values_of(file, key);
            file.set(key, checked.value.empty() ? std::vector<std::string>{}
                                                : std::vector<std::string>{checked.value});
            s.record("modify", kind, name, key, old, checked.value);
        } else {
            if (has_hidden_values(file, key)) return hidden_values_error(file, key);
            for (const auto* line : file.values(key)) {
                if (line->value == checked.value) {
                    return fail(Status::AlreadyExists, kind_str(kind) + " " + name + " has " + key + "=" +
                                                           shown(checked.value) + " already");
                }
            }
            if (checked.value.empty()) {
                return fail(Status::CommandLine, "an empty " + key + " cannot be appended: it would end the list");
            }
            file.append(key, checked.value);
            s.record("append", kind, name, key, {}, checked.value);
        }
        r.message = "set " + key + " of " + kind_str(kind) + " " + name;
        return r;
    });
}

Result Editor::rule_add(const std::string& text, std::optional<std::size_t> at) {
    std::string error;
    auto rule = parse_rule_text(text, error);
    if (!rule) return fail(Status::CommandLine, error);
    const std::string stored = stored_rule_text(*rule);
    if (at && *at == 0) return fail(Status::CommandLine, "rule positions start at 1");
    return run([&](Session& s) -> Result {
        if (auto problem = rules_problem(s)) return *problem;
        std::string problem = rule_problem(s.config, *rule);
        if (!problem.empty()) return fail(Status::DataInconsistency, "rule does not fit the tree: " + problem);
        const std::size_t count = rule_count(s);
        const std::size_t position = at.value_or(count + 1);
        if (position > count + 1) {
            return fail(Status::CommandLine, "cannot add at position " + std::to_string(position) +
                                                 ": rules.conf has " + std::to_string(count) +
                                                 " rules (" + std::to_string(count + 1) + " appends)");
        }
        config::KvFile& file = writable(s, kRulesFile);
        if (position <= count) {
            file.insert_at(file.index_of(file.values("RULE")[position - 1]), "RULE", stored);
        } else {
            file.append("RULE", stored);
        }
        s.record("add", ObjectKind::Ruleset, "rules", "RULE", {}, numbered(position, stored));
        Result r;
        r.message = "added rule " + std::to_string(position);
        return r;
    });
}

Result Editor::rule_move(std::size_t from, std::size_t to) {
    return run([&](Session& s) -> Result {
        if (auto problem = rules_problem(s)) return *problem;
        const std::size_t count = rule_count(s);
        if (from == 0 || from > count) return no_such_rule(from, count);
        if (to == 0 || to > count) return no_such_rule(to, count);
        Result r;
        r.message = "rule " + std::to_string(from) + " is rule " + std::to_string(to) + " now";
        if (from == to) return r;
        config::KvFile& file = s.tx.file(kRulesFile);
        const std::string value = file.values("RULE")[from - 1]->value;
        file.remove_at(file.index_of(file.values("RULE")[from - 1]));
        auto rest = file.values("RULE");  // count - 1 rules
        if (to <= rest.size()) {
            file.insert_at(file.index_of(rest[to - 1]), "RULE", value);
        } else {
            file.insert_at(file.index_of(rest.back()) + 1, "RULE", value);
        }
        s.record("move", ObjectKind::Ruleset, "rules", "RULE", numbered(from, value), numbered(to, value));
        return r;
    });
}

Result Editor::rule_set_active(std::size_t number, bool active) {
    return run([&](Session& s) -> Result {
        if (auto problem = rules_problem(s)) return *problem;
        const std::size_t count = rule_count(s);
        if (number == 0 || number > count) return no_such_rule(number, count);
        config::KvFile& file = s.tx.file(kRulesFile);
        const config::KvLine* line = file.values("RULE")[number - 1];
        const std::string old = line->value;
        std::string_view text = base::trim(old);
        const bool is_active = text.empty() || text.front() != ';';
        Result r;
        r.message = "rule " + std::to_string(number) + " is " + (active ? "active" : "inactive");
        if (is_active == active) {
            r.message += " already";
            return r;
        }
        std::string updated = active ? std::string(base::trim(text.substr(1))) : ";" + std::string(text);
        if (active) {
            std::string error;
            auto rule = parse_rule_text(updated, error);
            if (!rule) return fail(Status::DataInconsistency, "rule " + std::to_string(number) + ": " + error);
            std::string problem = rule_problem(s.config, *rule);
            if (!problem.empty()) {
                return fail(Status::DataInconsistency,
                            "rule " + std::to_string(number) + " does not fit the tree: " + problem);
            }
        }
        file.set_at(file.index_of(line), "RULE", updated);
        s.record(active ? "activate" : "deactivate", ObjectKind::Ruleset, "rules", "RULE",
                 numbered(number, old), numbered(number, updated));
        return r;
    });
}

Result Editor::rule_delete(std::size_t number) {
    return run([&](Session& s) -> Result {
        if (auto problem = rules_problem(s)) return *problem;
        const std::size_t count = rule_count(s);
        if (number == 0 || number > count) return no_such_rule(number, count);
        config::KvFile& file = s.tx.file(kRulesFile);
        const config::KvLine* line = file.values("RULE")[number - 1];
        const std::string old = line->value;
        file.remove_at(file.index_of(line));
        s.record("delete", ObjectKind::Ruleset, "rules", "RULE", numbered(number, old), {});
        Result r;
        r.message = "deleted rule " + std::to_string(number);
        return r;
    });
}

Result Editor::rule_replace(std::size_t number, const std::string& text,
                            const std::optional<std::string>& expected) {
    std::string error;
    auto rule = parse_rule_text(text, error);
    if (!rule) return fail(Status::CommandLine, error);
    const std::string stored = stored_rule_text(*rule);
    return run([&](Session& s) -> Result {
        if (auto problem = rules_problem(s)) return *problem;
        const std::size_t count = rule_count(s);
        if (number == 0 || number > count) return no_such_rule(number, count);
        config::KvFile& file = s.tx.file(kRulesFile);
        const config::KvLine* line = file.values("RULE")[number - 1];
        const std::string old = line->value;
        if (expected && unescape_rule_value(old) != *expected) {
            return fail(Status::DataInconsistency,
                        "rule " + std::to_string(number) + " changed on disk since it was read: it is now " +
                            shown(unescape_rule_value(old)));
        }
        std::string_view trimmed = base::trim(old);
        const bool inactive = !trimmed.empty() && trimmed.front() == ';';
        std::string problem = rule_problem(s.config, *rule);
        if (!inactive && !problem.empty()) {
            return fail(Status::DataInconsistency, "rule does not fit the tree: " + problem);
        }
        const std::string updated = inactive ? ";" + stored : stored;
        Result r;
        r.message = "rule " + std::to_string(number) + " is unchanged";
        if (updated == old) return r;
        file.set_at(file.index_of(line), "RULE", updated);
        s.record("modify", ObjectKind::Ruleset, "rules", "RULE", numbered(number, old),
                 numbered(number, updated));
        r.message = "replaced rule " + std::to_string(number);
        return r;
    });
}

Result Editor::block(const std::string& item) {
    if (!is_blockable_form(item)) {
        return fail(Status::CommandLine, "cannot block " + shown(item) +
                                             ": give an IP address, a host or a group "
                                             "(host.network.zone; networks and zones cannot be blocked)");
    }
    return run([&](Session& s) -> Result {
        if (auto problem = block_item_problem(s.config, item)) return *problem;
        config::KvFile& file = writable(s, kBlocklistFile);
        if (has_hidden_values(file, "RULE")) return hidden_values_error(file, "RULE");
        for (const auto* line : file.values("RULE")) {
            auto [existing, active] = block_item(line->value);
            if (existing == item && active) {
                return fail(Status::AlreadyExists, shown(item) + " is blocked already");
            }
        }
        const std::string value = "block " + item;
        file.append("RULE", value);
        s.record("block", ObjectKind::Ruleset, "blocklist", "RULE", {}, value);
        Result r;
        r.message = "blocked " + item;
        return r;
    });
}

Result Editor::unblock(const std::string& item) {
    return run([&](Session& s) -> Result {
        auto not_found = fail(Status::CommandLine, shown(item) + " is not in the blocklist");
        if (!s.tx.exists(kBlocklistFile)) return not_found;
        config::KvFile& file = s.tx.file(kBlocklistFile);
        bool removed = false;
        for (;;) {
            const config::KvLine* match = nullptr;
            for (const auto* line : file.entries("RULE")) {
                if (!line->value.empty() && block_item(line->value).first == item) {
                    match = line;
                    break;
                }
            }
            if (match == nullptr) break;
            s.record("unblock", ObjectKind::Ruleset, "blocklist", "RULE", match->value, {});
            file.remove_at(file.index_of(match));
            removed = true;
        }
        if (!removed) return not_found;
        Result r;
        r.message = "unblocked " + item;
        return r;
    });
}

}  // namespace vuurmuur::edit
