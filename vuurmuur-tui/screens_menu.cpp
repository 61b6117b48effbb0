// SPDX-License-Identifier: GPL-2.0-or-later
#include "screens.h"

namespace vuurmuur::tui {

namespace {

class MainMenu : public ListScreen {
public:
    explicit MainMenu(App& app) : ListScreen(app) {
        bind({10, 13, KEY_ENTER, KEY_RIGHT}, "Enter", "open", "open the selected section",
             [this] { open(cursor()); });
        bind({KEY_F(9), 'r'}, "r", "rules", "Rules (F9)", [this] { open(0); }, false);
        bind({'b'}, "b", "blocklist", "BlockList", [this] { open(1); }, false);
        bind({KEY_F(7), 'z'}, "z", "zones", "Zones (F7)", [this] { open(2); }, false);
        bind({'i'}, "i", "interfaces", "Interfaces", [this] { open(3); }, false);
        bind({KEY_F(8), 's'}, "s", "services", "Services (F8)", [this] { open(4); }, false);
        bind({KEY_F(6), 'c'}, "c", "config", "Vuurmuur Config (F6)", [this] { open(5); }, false);
        bind({KEY_F(11), 'a'}, "a", "apply", "Apply changes (F11)", [this] { open(6); }, false);
        bind({'h', '?', KEY_F(12)}, "h", "help", "Help", [this] { open(7); }, false);
        bind({KEY_F(10), 'q', 27}, "F10/q", "quit", "quit", [this] { app_.pop(); });
        std::vector<Row> rows;
        for (const char* item : kItems) rows.push_back({item, Style::Normal});
        set_rows(std::move(rows));
    }

    std::string title() const override { return "Main Menu"; }
    std::string help() const override {
        return "The main menu. Pick a section with the arrows and Enter, or its letter.\n"
               "Every edit is written at once, through the same locked store the CLI uses;\n"
               "the running firewall changes only with Apply changes.";
    }

    void draw(int top, int height, int width) override {
        ListScreen::draw(top + 1, height - 1, std::min(width, 40));
        put(stdscr, top, 1, "Config: " + app_.options().config_dir.string(), width - 2, A_DIM);
    }

private:
    static constexpr const char* kItems[] = {
        "Rules              r", "BlockList          b", "Zones              z",
        "Interfaces         i", "Services           s", "Vuurmuur Config    c",
        "Apply changes      a", "Help               h", "Quit               q",
    };

    void open(std::size_t item) {
        set_cursor(item);
        switch (item) {
            case 0: app_.push(rules_screen(app_)); break;
            case 1: app_.push(blocklist_screen(app_)); break;
            case 2: app_.push(object_list(app_, model::ObjectKind::Zone, "any")); break;
            case 3: app_.push(object_list(app_, model::ObjectKind::Interface, "any")); break;
            case 4: app_.push(object_list(app_, model::ObjectKind::Service, "any")); break;
            case 5: app_.push(config_screen(app_)); break;
            case 6: app_.push(apply_screen(app_)); break;
            case 7: app_.push(help_screen(app_)); break;
            default: app_.pop(); break;
        }
    }
};

class HelpScreen : public ListScreen {
public:
    explicit HelpScreen(App& app) : ListScreen(app) {
        bind({KEY_F(10), 'q', 27}, "F10/q", "back", "back to the main menu", [this] { app_.pop(); });
        std::vector<Row> rows;
        for (const char* line : kText) rows.push_back({line, Style::Normal});
        set_rows(std::move(rows));
    }
    std::string title() const override { return "Help"; }
    std::string help() const override { return "The general help. F1 on any screen shows that screen's keys."; }

private:
    static constexpr const char* kText[] = {
        "Vuurmuur manages the firewall of a Linux gateway.",
        "",
        "Zones hold networks; networks hold hosts and groups. Rules name them:",
        "  accept service ssh from admin-pc.local.lan to firewall",
        "",
        "Every edit is written at once (atomic, locked): the CLI vuurmuur-script",
        "can be used at the same time. A form writes only the fields you changed;",
        "a field that changed on disk since the form opened is not overwritten.",
        "",
        "Apply changes shows what will change in the kernel, loads the new",
        "ruleset and asks to confirm; without an answer in time the previous",
        "ruleset comes back by itself.",
        "",
        "Keys everywhere: F1 help, F10 or q back, Ins new, Del delete, Enter edit.",
        "In forms: type to edit, Enter picks from a list, Space toggles Yes/No,",
        "F2 saves, F10 saves and goes back, Esc goes back without saving.",
    };
};

}  // namespace

std::unique_ptr<Screen> main_menu(App& app) { return std::make_unique<MainMenu>(app); }
std::unique_ptr<Screen> help_screen(App& app) { return std::make_unique<HelpScreen>(app); }

}  // namespace vuurmuur::tui
