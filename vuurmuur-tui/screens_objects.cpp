// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include "screens.h"
#include "vuurmuur/model/objects.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/view/listing.h"

namespace vuurmuur::tui {

namespace {

using model::ObjectKind;

std::string plural(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::Zone: return "Zones";
        case ObjectKind::Network: return "Networks";
        case ObjectKind::Host: return "Hosts";
        case ObjectKind::Group: return "Groups";
        case ObjectKind::Interface: return "Interfaces";
        case ObjectKind::Service: return "Services";
        case ObjectKind::Ruleset: break;
    }
    return "Rulesets";
}

std::string value_of(const std::vector<view::Variable>& vars, const std::string& key) {
    for (const auto& v : vars) {
        if (v.key == key) return v.multi ? join_list(v.values) : (v.values.empty() ? "" : v.values.front());
    }
    return {};
}

/// What the list shows after the name, per kind.
std::string summary(ObjectKind kind, const std::vector<view::Variable>& vars) {
    switch (kind) {
        case ObjectKind::Network: {
            std::string net = value_of(vars, "NETWORK");
            std::string mask = value_of(vars, "NETMASK");
            return net.empty() ? "" : net + "/" + mask;
        }
        case ObjectKind::Host: return value_of(vars, "IPADDRESS");
        case ObjectKind::Group: return value_of(vars, "MEMBER");
        case ObjectKind::Interface: return value_of(vars, "DEVICE") + " " + value_of(vars, "IPADDRESS");
        case ObjectKind::Service: {
            std::string s;
            for (const char* k : {"TCP", "UDP", "ICMP"}) {
                std::string v = value_of(vars, k);
                if (!v.empty()) s += std::string(s.empty() ? "" : " ") + k + " " + v;
            }
            return s;
        }
        default: return value_of(vars, "COMMENT");
    }
}

class ObjectList : public ListScreen {
public:
    ObjectList(App& app, ObjectKind kind, std::string filter)
        : ListScreen(app), kind_(kind), filter_(std::move(filter)) {
        const bool drill = kind == ObjectKind::Zone || kind == ObjectKind::Network;
        bind({KEY_IC, 'i'}, "Ins", "new", "create a new " + std::string(model::kind_name(kind)), [this] { create(); });
        if (drill) {
            bind({10, 13, KEY_ENTER, KEY_RIGHT}, "Enter", "open",
                 "open: the networks of a zone, the hosts or groups of a network", [this] { open(); });
            bind({'e'}, "e", "edit", "edit the selected object", [this] { edit(); });
        } else {
            bind({10, 13, KEY_ENTER, KEY_RIGHT, 'e'}, "Enter", "edit", "edit the selected object",
                 [this] { edit(); });
        }
        bind({KEY_DC, 'd'}, "Del", "delete", "delete (refused while rules, groups or networks name it)",
             [this] { remove(); });
        bind({'r'}, "r", "rename", "rename (rules, groups, blocklist and networks are updated)",
             [this] { rename(); });
        bind({' '}, "Space", "active", "activate / deactivate", [this] { toggle(); });
        bind({KEY_F(10), 'q', 27, KEY_LEFT}, "F10/q", "back", "back", [this] { app_.pop(); });
    }

    std::string title() const override {
        return plural(kind_) + (filter_ == "any" ? "" : " of " + filter_);
    }
    std::string help() const override {
        return "The " + plural(kind_) + ". Zones hold networks, networks hold hosts and groups.\n"
               "A rename updates every rule, group member, blocklist entry and network\n"
               "interface that names the object. A delete is refused while something names it:\n"
               "the list of referrers is shown.";
    }

    std::string header() const override { return fit("Name", 32) + fit("Active", 8) + "Details"; }

    void reload() override {
        diag::Diagnostics diags;
        auto loaded = load_and_check(app_.options().config_dir, diags);
        names_ = view::list_objects(loaded.config, kind_, filter_);
        std::vector<Row> rows;
        for (const auto& n : names_) {
            auto vars = view::object_variables(loaded.tree, kind_, n, "").value_or(std::vector<view::Variable>{});
            std::string active = value_of(vars, "ACTIVE");
            rows.push_back({fit(n, 31) + " " + fit(active, 8) + summary(kind_, vars),
                            active == "Yes" ? Style::Normal : Style::Inactive});
        }
        set_rows(std::move(rows));
    }

private:
    const std::string* selected() const { return cursor() < names_.size() ? &names_[cursor()] : nullptr; }

    std::string full_name(const std::string& part) const {
        if (kind_ == ObjectKind::Network || kind_ == ObjectKind::Host || kind_ == ObjectKind::Group) {
            if (filter_ != "any" && part.find('.') == std::string::npos) return part + "." + filter_;
        }
        return part;
    }

    void open() {
        const std::string* n = selected();
        if (n == nullptr) return;
        if (kind_ == ObjectKind::Zone) {
            app_.push(object_list(app_, ObjectKind::Network, *n));
            return;
        }
        auto which = app_.pick(*n, {"Hosts", "Groups", "Edit the network"});
        if (!which) return;
        if (*which == 2) {
            edit();
            return;
        }
        app_.push(object_list(app_, *which == 0 ? ObjectKind::Host : ObjectKind::Group, *n));
    }

    void edit() {
        if (const std::string* n = selected()) app_.push(object_form(app_, kind_, *n));
    }

    void create() {
        auto name = app_.prompt("New " + std::string(model::kind_name(kind_)) + " name");
        if (!name || trim_copy(*name).empty()) return;
        const std::string full = full_name(trim_copy(*name));
        if (!app_.report(app_.editor().create(kind_, full))) return;
        reload();
        for (std::size_t i = 0; i < names_.size(); ++i) {
            if (names_[i] == full) set_cursor(i);
        }
        app_.push(object_form(app_, kind_, full));
    }

    void remove() {
        const std::string* n = selected();
        if (n == nullptr) return;
        const std::string name = *n;
        if (!app_.confirm("Delete " + std::string(model::kind_name(kind_)) + " " + name + "?")) return;
        edit::Result r = app_.editor().remove(kind_, name, false);
        app_.report(r);
        if (!r.ok() && !r.referrers.empty()) {
            std::vector<std::string> lines{r.message, ""};
            for (const auto& ref : r.referrers) lines.push_back(ref.str());
            app_.message("Not deleted", lines);
        } else if (!r.ok()) {
            app_.message("Not deleted", {r.message});
        }
        reload();
    }

    void rename() {
        const std::string* n = selected();
        if (n == nullptr) return;
        const std::string name = *n;
        const std::string last = name.substr(0, name.find('.'));
        auto to = app_.prompt("Rename " + name + " to", last);
        if (!to || trim_copy(*to).empty() || trim_copy(*to) == last) return;
        edit::Result r = app_.editor().rename(kind_, name, trim_copy(*to));
        if (!app_.report(r)) app_.message("Not renamed", {r.message});
        reload();
    }

    void toggle() {
        const std::string* n = selected();
        if (n == nullptr) return;
        diag::Diagnostics diags;
        auto vars = view::object_variables(app_.store().load(diags), kind_, *n, "");
        if (!vars) return;
        const bool active = value_of(*vars, "ACTIVE") == "Yes";
        app_.report(app_.editor().modify(kind_, *n, "ACTIVE", active ? "No" : "Yes", edit::WriteMode::Overwrite));
        reload();
    }

    ObjectKind kind_;
    std::string filter_;
    std::vector<std::string> names_;
};

const std::vector<std::string> kYesNo{"Yes", "No"};

class ObjectForm : public FormScreen {
public:
    ObjectForm(App& app, ObjectKind kind, std::string name) : FormScreen(app), kind_(kind), name_(std::move(name)) {
        bind({KEY_F(5)}, "F5", "reload", "read the object again from disk (drops unsaved edits)", [this] {
            fields_.clear();
            focus_ = 0;
            reload();
            set_messages({"read again from disk"});
        });
    }

    std::string title() const override { return "Edit " + std::string(model::kind_name(kind_)) + " " + name_; }
    std::string help() const override {
        return "Edit the variables of " + name_ + ". Lists (INTERFACE, MEMBER, TCP, ...) are\n"
               "comma-separated; Enter adds from a pick list. Only the fields you changed are\n"
               "written, each checked by the core first. A field that changed on disk since\n"
               "the form opened is not overwritten: F5 reads the object again.";
    }

    void reload() override {
        if (!fields_.empty()) return;
        diag::Diagnostics diags;
        auto loaded = load_and_check(app_.options().config_dir, diags);
        auto vars = view::object_variables(loaded.tree, kind_, name_, "");
        if (!vars) {
            set_messages({"error: " + name_ + " does not exist (any more)"});
            return;
        }
        for (const auto& v : *vars) {
            Field f;
            f.label = v.key;
            f.value = v.multi ? join_list(v.values) : (v.values.empty() ? "" : v.values.front());
            f.original = f.value;
            f.multi = v.multi;
            if (v.key == "ACTIVE" || v.key == "VIRTUAL" || v.key == "SHAPE" || v.key == "BROADCAST") {
                f.options = kYesNo;
                f.cycle = true;
            } else if (v.key == "INTERFACE") {
                f.options = view::list_objects(loaded.config, ObjectKind::Interface, "any");
            } else if (v.key == "MEMBER") {
                auto parts = name_.find('.');
                f.options = view::list_objects(loaded.config, ObjectKind::Host,
                                               parts == std::string::npos ? "any" : name_.substr(parts + 1));
            } else if (kind_ == ObjectKind::Network && v.key == "RULE") {
                for (int k = 0; k <= static_cast<int>(model::SpoofSource::BroadcastDst); ++k) {
                    f.options.push_back("protect against spoofing from " +
                                        std::string(model::spoof_source_name(static_cast<model::SpoofSource>(k))));
                }
                f.options.push_back("accept dhcp-client");
                f.options.push_back("accept dhcp-server");
            }
            fields_.push_back(std::move(f));
        }
    }

private:
    bool save() override {
        diag::Diagnostics diags;
        auto disk = view::object_variables(app_.store().load(diags), kind_, name_, "");
        if (!disk) {
            set_messages({"error: " + name_ + " does not exist any more: not saved"});
            return false;
        }
        std::vector<std::string> lines;
        for (const auto& f : fields_) {
            if (f.value == f.original) continue;
            const std::string now = value_of(*disk, f.label);
            if (now != f.original) {
                lines.push_back("error: " + f.label + " changed on disk to '" + now +
                                "' since the form was opened; not overwritten (F5 reads it again)");
            }
        }
        if (!lines.empty()) {
            set_messages(lines);
            app_.status("error: conflicting change on disk; nothing written");
            return false;
        }
        std::size_t written = 0;
        for (auto& f : fields_) {
            if (f.value == f.original) continue;
            std::vector<std::string> values = f.multi ? split_list(f.value) : std::vector<std::string>{trim_copy(f.value)};
            if (values.empty()) values.push_back("");
            edit::Result r = app_.editor().modify(kind_, name_, f.label, values.front(), edit::WriteMode::Overwrite);
            for (std::size_t i = 1; r.ok() && i < values.size(); ++i) {
                app_.report(r);
                r = app_.editor().modify(kind_, name_, f.label, values[i], edit::WriteMode::Append);
            }
            if (!app_.report(r)) {
                lines.push_back("error: " + f.label + ": " + r.message);
                set_messages(lines);
                return false;
            }
            f.original = f.value;
            ++written;
        }
        set_messages({"saved " + std::to_string(written) + " field" + (written == 1 ? "" : "s")});
        app_.status("saved " + name_);
        return true;
    }

    ObjectKind kind_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Screen> object_list(App& app, model::ObjectKind kind, const std::string& filter) {
    return std::make_unique<ObjectList>(app, kind, filter);
}

std::unique_ptr<Screen> object_form(App& app, model::ObjectKind kind, const std::string& name) {
    return std::make_unique<ObjectForm>(app, kind, name);
}

}  // namespace vuurmuur::tui
