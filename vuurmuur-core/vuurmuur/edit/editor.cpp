// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/edit/editor.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <system_error>

#include "vuurmuur/base/ip.h"
#include "vuurmuur/base/strings.h"
#include "vuurmuur/config/textdir.h"
#include "vuurmuur/edit/editor_session.h"
#include "vuurmuur/edit/references.h"
#include "vuurmuur/edit/values.h"
#include "vuurmuur/io/file_io.h"
#include "vuurmuur/model/build.h"
#include "vuurmuur/model/name.h"
#include "vuurmuur/view/listing.h"

namespace vuurmuur::edit {

using model::ObjectKind;
namespace fs = std::filesystem;

namespace {

/// Thrown inside a transaction to leave it without writing anything.
struct Abort {};

std::string kind_str(ObjectKind kind) { return std::string(model::kind_name(kind)); }

std::string shown(const std::string& s) { return "'" + base::printable(s, 80) + "'"; }

std::string name_form(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::Zone: return "zone";
        case ObjectKind::Network: return "network.zone";
        case ObjectKind::Host: return "host.network.zone";
        case ObjectKind::Group: return "group.network.zone";
        case ObjectKind::Interface: return "interface";
        case ObjectKind::Service: return "service";
        case ObjectKind::Ruleset: return "rules or blocklist";
    }
    return "?";
}

/// The file of a well-formed name, or a CommandLine result.
std::optional<std::string> file_of(ObjectKind kind, const std::string& name, Result& error) {
    auto rel = view::object_file(kind, name);
    if (!rel) {
        error = fail(Status::CommandLine,
                     shown(name) + " is not a valid " + kind_str(kind) + " name (" + name_form(kind) +
                         (kind == ObjectKind::Ruleset ? ")" : "; each part [a-zA-Z0-9_-], 1-32 characters)"));
    }
    return rel;
}

/// Names that rules read as something else.
bool is_reserved(ObjectKind kind, const std::string& name) {
    if (kind == ObjectKind::Zone) return name == "firewall" || name == "any";
    if (kind == ObjectKind::Service) return name == "any" || name == "all";
    return false;
}

/// The directory that holds an object's file, for zones and networks.
std::string dir_of(const std::string& rel) { return fs::path(rel).parent_path().string(); }

/// For hosts and groups: the file of the other kind with the same name (they share names).
std::string sibling_file(ObjectKind kind, const std::string& name) {
    ObjectKind other = kind == ObjectKind::Host ? ObjectKind::Group : ObjectKind::Host;
    return *view::object_file(other, name);
}

/// The template of a new object (reference §1.2), keys in the original's order.
std::vector<std::pair<std::string, std::string>> template_of(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::Zone: return {{"ACTIVE", "Yes"}, {"COMMENT", ""}};
        case ObjectKind::Network:
            return {{"ACTIVE", "Yes"}, {"NETWORK", ""}, {"NETMASK", ""},
                    {"INTERFACE", ""}, {"RULE", ""},    {"COMMENT", ""}};
        case ObjectKind::Host:
            return {{"ACTIVE", "Yes"}, {"IPADDRESS", ""}, {"MAC", ""}, {"COMMENT", ""}};
        case ObjectKind::Group: return {{"ACTIVE", "Yes"}, {"MEMBER", ""}, {"COMMENT", ""}};
        case ObjectKind::Service:
            return {{"ACTIVE", "Yes"}, {"TCP", ""}, {"UDP", ""},      {"ICMP", ""},
                    {"GRE", ""},       {"AH", ""},  {"ESP", ""},      {"PROTO_41", ""},
                    {"BROADCAST", "No"}, {"HELPER", ""}, {"COMMENT", ""}};
        case ObjectKind::Interface:
            // New interfaces get all five kernel protections, as in the original.
            return {{"ACTIVE", "Yes"},
                    {"IPADDRESS", ""},
                    {"DEVICE", ""},
                    {"VIRTUAL", "No"},
                    {"RULE", "protect against source-routed-packets"},
                    {"RULE", "protect against icmp-redirect"},
                    {"RULE", "protect against send-redirect"},
                    {"RULE", "protect against rp-filter"},
                    {"RULE", "protect against log-martians"},
                    {"COMMENT", ""}};
        case ObjectKind::Ruleset: return {{"RULE", ""}};
    }
    return {};
}

/// Entries of a directory other than `allowed`, for the emptiness checks of delete.
std::vector<std::string> other_entries(const fs::path& dir, const std::vector<std::string>& allowed) {
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool is_dir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(fs::symlink_status(p, ec));
}

}  // namespace

Editor::Editor(config::Store& store, AuditSink audit, std::string user)
    : store_(store), audit_(std::move(audit)), user_(std::move(user)) {}

void Editor::Session::record(std::string action, ObjectKind kind, std::string object,
                             std::string variable, std::string old_value, std::string new_value) {
    AuditRecord r;
    r.user = user;
    r.action = std::move(action);
    r.kind = kind_str(kind);
    r.object = std::move(object);
    r.variable = std::move(variable);
    r.old_value = std::move(old_value);
    r.new_value = std::move(new_value);
    changes.push_back(std::move(r));
}

Result Editor::run(const std::function<Result(Session&)>& body) {
    Result result;
    std::vector<AuditRecord> changes;
    try {
        store_.transact([&](config::Transaction& tx) {
            diag::Diagnostics ignored;
            Session session{tx, config::load_textdir(store_.root(), ignored), {}, {}, user_};
            session.config = model::build(session.tree, ignored);
            result = body(session);
            if (!result.ok()) throw Abort{};
            changes = session.changes;
        });
    } catch (const Abort&) {
        return result;
    } catch (const io::IoError& e) {
        return fail(Status::CommandFailed, std::string("cannot write the change: ") + e.what());
    } catch (const std::exception& e) {
        return fail(Status::Internal, std::string("internal error: ") + e.what());
    }
    result.changes = changes;
    if (audit_) {
        for (const auto& change : changes) audit_(change);
    }
    return result;
}

Result Editor::create(ObjectKind kind, const std::string& name) {
    Result error;
    auto rel = file_of(kind, name, error);
    if (!rel) return error;
    if (is_reserved(kind, name)) {
        return fail(Status::CommandLine, shown(name) + " cannot be a " + kind_str(kind) +
                                             " name: rules read it as a keyword");
    }
    return run([&](Session& s) -> Result {
        auto parts = base::split(name, '.');
        if (kind == ObjectKind::Network && !s.tx.exists("zones/" + parts[1] + "/zone.config")) {
            return fail(Status::NotFound, "zone " + shown(parts[1]) + " does not exist");
        }
        if ((kind == ObjectKind::Host || kind == ObjectKind::Group) &&
            !s.tx.exists("zones/" + parts[2] + "/networks/" + parts[1] + "/network.config")) {
            return fail(Status::NotFound, "network " + shown(parts[1] + "." + parts[2]) + " does not exist");
        }
        if (s.tx.exists(*rel)) {
            return fail(Status::AlreadyExists, kind_str(kind) + " " + shown(name) + " already exists");
        }
        if ((kind == ObjectKind::Host || kind == ObjectKind::Group) && s.tx.exists(sibling_file(kind, name))) {
            return fail(Status::AlreadyExists,
                        shown(name) + " is already a " +
                            (kind == ObjectKind::Host ? "group" : "host") +
                            "; hosts and groups of a network share one namespace");
        }
        if ((kind == ObjectKind::Zone || kind == ObjectKind::Network) && s.tx.exists(dir_of(*rel))) {
            return fail(Status::AlreadyExists, "the directory of " + kind_str(kind) + " " + shown(name) +
                                                   " exists already (without its " +
                                                   fs::path(*rel).filename().string() + ")");
        }
        config::KvFile& file = s.tx.create(*rel);
        for (const auto& [key, value] : template_of(kind)) file.append(key, value);
        s.record("create", kind, name, {}, {}, {});
        Result r;
        r.message = "created " + kind_str(kind) + " " + name;
        return r;
    });
}

Result Editor::remove(ObjectKind kind, const std::string& name, bool force) {
    Result error;
    auto rel = file_of(kind, name, error);
    if (!rel) return error;
    return run([&](Session& s) -> Result {
        if (!s.tx.exists(*rel)) {
            return fail(Status::NotFound, kind_str(kind) + " " + shown(name) + " does not exist");
        }
        const fs::path root = store_.root();
        std::vector<std::string> dirs;  // to remove after the file, children first
        if (kind == ObjectKind::Network || kind == ObjectKind::Zone) {
            const std::string dir = dir_of(*rel);
            const std::vector<std::string> subdirs =
                kind == ObjectKind::Network ? std::vector<std::string>{"hosts", "groups"}
                                            : std::vector<std::string>{"networks"};
            std::vector<std::string> contents;
            for (const auto& sub : subdirs) {
                if (!is_dir(root / dir / sub)) continue;
                for (const auto& e : other_entries(root / dir / sub, {})) contents.push_back(sub + "/" + e);
                dirs.push_back(dir + "/" + sub);
            }
            std::vector<std::string> allowed = subdirs;
            allowed.push_back(fs::path(*rel).filename().string());
            for (const auto& e : other_entries(root / dir, allowed)) contents.push_back(e);
            if (!contents.empty()) {
                std::string what = kind == ObjectKind::Network ? "hosts and groups" : "networks";
                return fail(Status::CommandFailed,
                            kind_str(kind) + " " + shown(name) + " is not empty (" +
                                base::join(contents, ", ") + "); delete its " + what + " first");
            }
            dirs.push_back(dir);
        }
        Result r;
        for (const auto& hit : find_references(s.tree, {kind, name}, name)) {
            r.referrers.push_back({hit.file, static_cast<int>(hit.index) + 1, hit.what});
        }
        if (!r.referrers.empty() && !force) {
            r.status = Status::DataInconsistency;
            r.message = kind_str(kind) + " " + shown(name) + " is still used by " +
                        std::to_string(r.referrers.size()) +
                        (r.referrers.size() == 1 ? " line" : " lines") +
                        "; change those first, or delete it anyway with --force";
            return r;
        }
        s.tx.remove(*rel);
        for (const auto& d : dirs) s.tx.remove_dir(d);
        s.record("delete", kind, name, {}, {},
                 r.referrers.empty() ? std::string()
                                     : "forced; " + std::to_string(r.referrers.size()) +
                                           " references left dangling");
        r.message = "deleted " + kind_str(kind) + " " + name;
        if (!r.referrers.empty()) {
            r.message += "; " + std::to_string(r.referrers.size()) +
                         (r.referrers.size() == 1 ? " reference to it is" : " references to it are") +
                         " left dangling (see check)";
        }
        return r;
    });
}

Result Editor::rename(ObjectKind kind, const std::string& name, const std::string& new_name_in) {
    Result error;
    auto rel = file_of(kind, name, error);
    if (!rel) return error;
    if (kind == ObjectKind::Ruleset) {
        return fail(Status::CommandLine, "the rulesets 'rules' and 'blocklist' cannot be renamed");
    }
    // The new name: the last part alone, or the full name at the same place.
    auto parts = base::split(name, '.');
    auto new_parts = base::split(new_name_in, '.');
    std::string new_name = new_name_in;
    if (new_parts.size() == 1 && parts.size() > 1) {
        parts[0] = new_name_in;
        new_name = base::join(parts, ".");
    } else if (new_parts.size() == parts.size() && parts.size() > 1) {
        auto tail = [](const std::vector<std::string>& p) {
            return std::vector<std::string>(p.begin() + 1, p.end());
        };
        if (tail(new_parts) != tail(parts)) {
            return fail(Status::CommandLine,
                        "a " + kind_str(kind) + " keeps its place: rename " + shown(name) + " to " +
                            shown(new_parts[0] + "." + base::join(tail(parts), ".")) +
                            ", or create the " + kind_str(kind) + " elsewhere");
        }
    }
    auto new_rel = file_of(kind, new_name, error);
    if (!new_rel) return error;
    if (is_reserved(kind, new_name)) {
        return fail(Status::CommandLine, shown(new_name) + " cannot be a " + kind_str(kind) +
                                             " name: rules read it as a keyword");
    }
    if (new_name == name) return fail(Status::CommandLine, "the new name is the old name");
    return run([&](Session& s) -> Result {
        if (!s.tx.exists(*rel)) {
            return fail(Status::NotFound, kind_str(kind) + " " + shown(name) + " does not exist");
        }
        const bool is_dir_kind = kind == ObjectKind::Zone || kind == ObjectKind::Network;
        const std::string from = is_dir_kind ? dir_of(*rel) : *rel;
        const std::string to = is_dir_kind ? dir_of(*new_rel) : *new_rel;
        if (s.tx.exists(to) ||
            ((kind == ObjectKind::Host || kind == ObjectKind::Group) && s.tx.exists(sibling_file(kind, new_name)))) {
            return fail(Status::AlreadyExists, shown(new_name) + " already exists");
        }
        Result r;
        for (const auto& hit : find_references(s.tree, {kind, name}, new_name)) {
            s.tx.file(hit.file).set_at(hit.index, hit.key, hit.new_value);
            auto p = base::split(hit.file, '/');
            if (hit.file == "rules/rules.conf" || hit.file == "rules/blocklist.conf") {
                s.record("modify", ObjectKind::Ruleset, hit.file == "rules/rules.conf" ? "rules" : "blocklist",
                         hit.key, hit.old_value, hit.new_value);
            } else if (hit.key == "MEMBER") {
                std::string group = p[5].substr(0, p[5].size() - 6) + "." + p[3] + "." + p[1];
                s.record("modify", ObjectKind::Group, group, hit.key, hit.old_value, hit.new_value);
            } else {
                s.record("modify", ObjectKind::Network, p[3] + "." + p[1], hit.key, hit.old_value,
                         hit.new_value);
            }
            r.referrers.push_back({hit.file, static_cast<int>(hit.index) + 1, hit.what});
        }
        s.tx.rename(from, to);
        s.record("rename", kind, name, {}, name, new_name);
        r.message = "renamed " + kind_str(kind) + " " + name + " to " + new_name;
        if (!r.referrers.empty()) {
            r.message += " and updated " + std::to_string(r.referrers.size()) +
                         (r.referrers.size() == 1 ? " reference" : " references");
        }
        return r;
    });
}

}  // namespace vuurmuur::edit
