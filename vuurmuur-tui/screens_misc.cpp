// SPDX-License-Identifier: GPL-2.0-or-later
#include "screens.h"
#include "vuurmuur/edit/rulesets.h"
#include "vuurmuur/model/settings.h"
#include "vuurmuur/pipeline.h"

namespace vuurmuur::tui {

namespace {

class BlocklistScreen : public ListScreen {
public:
    explicit BlocklistScreen(App& app) : ListScreen(app) {
        bind({KEY_IC, 'i'}, "Ins", "block", "block an IP address, host or group", [this] { add(); });
        bind({KEY_DC, 'd'}, "Del", "unblock", "remove the selected entry", [this] { remove(); });
        bind({KEY_F(10), 'q', 27}, "F10/q", "back", "back to the main menu", [this] { app_.pop(); });
    }
    std::string title() const override { return "BlockList"; }
    std::string help() const override {
        return "The blocklist (rules/blocklist.conf): traffic from and to these addresses,\n"
               "hosts and groups is dropped before any rule. Inactive entries are dimmed.";
    }
    void reload() override {
        diag::Diagnostics diags;
        entries_ = edit::list_blocked(app_.store().load(diags));
        std::vector<Row> rows;
        for (const auto& e : entries_) rows.push_back({e.item, e.active ? Style::Drop : Style::Inactive});
        set_rows(std::move(rows));
    }

private:
    void add() {
        auto item = app_.prompt("Block (IP address, host or group)");
        if (!item || trim_copy(*item).empty()) return;
        edit::Result r = app_.editor().block(trim_copy(*item));
        if (!app_.report(r)) app_.message("Not blocked", {r.message});
        reload();
    }
    void remove() {
        if (cursor() >= entries_.size()) return;
        const std::string item = entries_[cursor()].item;
        if (!app_.confirm("Unblock " + item + "?")) return;
        app_.report(app_.editor().unblock(item));
        reload();
    }
    std::vector<edit::BlockEntry> entries_;
};

/// config.conf in the original's sections. Each value is checked with the core's setting
/// parser before it is written through the store.
class ConfigScreen : public ListScreen {
public:
    explicit ConfigScreen(App& app) : ListScreen(app) {
        bind({10, 13, KEY_ENTER, 'e'}, "Enter", "edit", "change the selected setting", [this] { edit(); });
        bind({KEY_F(10), 'q', 27}, "F10/q", "back", "back to the main menu", [this] { app_.pop(); });
    }
    std::string title() const override { return "Vuurmuur Config"; }
    std::string help() const override {
        return "Every config.conf setting, grouped as the original's editor groups them\n"
               "(General, Connections, Interfaces, System Protection, Conntrack, Logging,\n"
               "Modules, Plugins). A setting not in config.conf shows its built-in default.";
    }
    std::string header() const override { return fit("Setting", 24) + fit("Value", 28) + "About"; }
    void reload() override {
        diag::Diagnostics diags;
        auto loaded = load_and_check(app_.options().config_dir, diags);
        keys_.clear();
        std::vector<Row> rows;
        std::string section;
        for (const auto& spec : model::setting_specs()) {
            if (spec.section != section) {
                section = std::string(spec.section);
                rows.push_back({"[" + section + "]", Style::Separator});
                keys_.push_back(nullptr);
            }
            rows.push_back({fit("  " + std::string(spec.key), 24) +
                                fit(model::setting_text(loaded.config.settings, spec), 28) +
                                std::string(spec.description),
                            Style::Normal});
            keys_.push_back(&spec);
        }
        set_rows(std::move(rows));
    }

private:
    void edit() {
        if (cursor() >= keys_.size() || keys_[cursor()] == nullptr) return;
        const model::SettingSpec& spec = *keys_[cursor()];
        diag::Diagnostics diags;
        auto loaded = load_and_check(app_.options().config_dir, diags);
        auto value = app_.prompt(std::string(spec.key), model::setting_text(loaded.config.settings, spec));
        if (!value) return;
        model::Settings check = loaded.config.settings;
        std::string error = model::set_setting(check, spec, *value);
        if (!error.empty()) {
            app_.status("error: " + std::string(spec.key) + ": " + error);
            return;
        }
        try {
            app_.store().modify("config.conf", [&](config::KvFile& f) { f.set(spec.key, {*value}); });
            app_.report(edit::Result{edit::Status::Ok, "set " + std::string(spec.key), {},
                                     {edit::AuditRecord{edit::current_user(), "modify", "config", "config.conf",
                                                        std::string(spec.key), {}, *value}}});
        } catch (const std::exception& e) {
            app_.status(std::string("error: ") + e.what());
        }
        reload();
    }
    std::vector<const model::SettingSpec*> keys_;
};

}  // namespace

std::unique_ptr<Screen> blocklist_screen(App& app) { return std::make_unique<BlocklistScreen>(app); }
std::unique_ptr<Screen> config_screen(App& app) { return std::make_unique<ConfigScreen>(app); }

}  // namespace vuurmuur::tui
