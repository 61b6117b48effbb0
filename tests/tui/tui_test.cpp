// SPDX-License-Identifier: GPL-2.0-or-later
// Issue 6 acceptance: the real vuurmuur-tui in a headless tmux, driven by keys, checked on
// screen and on disk.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <map>
#include <string>

#include "support/run_process.h"
#include "support/temp_tree.h"
#include "tui/tmux.h"

namespace fs = std::filesystem;
using vuurmuur::test::copy_default_tree;
using vuurmuur::test::read_file;
using vuurmuur::test::run_script;
using vuurmuur::test::snapshot;
using vuurmuur::test::TempDir;
using vuurmuur::test::tui::Tmux;
using vuurmuur::test::tui::tmux_program;
using vuurmuur::test::tui::tui_program;

#define TUI_SKIP_WITHOUT_TMUX()                                          \
    do {                                                                 \
        if (tmux_program().empty()) {                                    \
            WARN("SKIPPED TUI test: tmux is not installed");             \
            return;                                                      \
        }                                                                \
    } while (0)

namespace {

std::vector<std::string> tui_argv(const fs::path& tree, const fs::path& state) {
    return {tui_program(), "--config-dir", tree.string(), "--state-dir", state.string()};
}

/// Checks a wait and shows the screen when it fails.
#define WAIT_FOR(ui, text)                                 \
    do {                                                   \
        bool seen_ = (ui).wait_for(text);                  \
        INFO("waiting for: " << (text) << "\nscreen:\n" << (ui).last_screen()); \
        REQUIRE(seen_);                                    \
    } while (0)

/// The files of a config tree (the store's lock file left out).
std::map<std::string, std::string> config_files(const fs::path& root) {
    auto files = snapshot(root);
    files.erase(".vuurmuur.lock");
    return files;
}

void quit_to_shell(const Tmux& ui) {
    // back to the main menu from anywhere, then quit
    for (int i = 0; i < 6 && !ui.dead(); ++i) {
        if (ui.screen().find("Main Menu") != std::string::npos) break;
        ui.keys({"F10"});
        ui.wait_for("Main Menu", std::chrono::milliseconds(2000));
    }
    ui.keys({"q"});
    const int status = ui.wait_exit();
    INFO(ui.screen());
    CHECK(status == 0);
}

/// Opens the hosts list of a network from the main menu: z, `zone_downs` x Down, Enter
/// (networks), Enter (the first network), Enter (Hosts).
void open_hosts(const Tmux& ui, int zone_downs, const std::string& network) {
    ui.keys({"z"});
    WAIT_FOR(ui, "Zones");
    for (int i = 0; i < zone_downs; ++i) ui.keys({"Down"});
    ui.keys({"Enter"});
    WAIT_FOR(ui, "Networks of");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "Edit the network");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "Hosts of " + network);
}

}  // namespace

TEST_CASE("tui: create a host and a rule and the files equal what the CLI writes, check is clean", "[tui]") {
    TUI_SKIP_WITHOUT_TMUX();
    TempDir tui_tree, cli_tree, state;
    copy_default_tree(tui_tree.path());
    copy_default_tree(cli_tree.path());

    Tmux ui(80, 24, tui_argv(tui_tree.path(), state.path()));
    INFO(ui.start_error());
    REQUIRE(ui.started());
    WAIT_FOR(ui, "Main Menu");
    open_hosts(ui, 0, "dmz-net.dmz");
    ui.keys({"IC"});
    WAIT_FOR(ui, "New host name");
    ui.type("app");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "Edit host app.dmz-net.dmz");
    ui.keys({"Down"});  // IPADDRESS
    ui.type("192.168.2.20");
    ui.keys({"F10"});
    WAIT_FOR(ui, "Hosts of dmz-net.dmz");
    WAIT_FOR(ui, "192.168.2.20");
    ui.keys({"F10"});
    WAIT_FOR(ui, "Networks of dmz");
    ui.keys({"F10"});
    WAIT_FOR(ui, "Zones");
    ui.keys({"F10"});
    WAIT_FOR(ui, "Main Menu");

    ui.keys({"r"});
    WAIT_FOR(ui, "Firewall access");
    ui.keys({"Down", "IC"});  // insert above rule 2
    WAIT_FOR(ui, "New rule");
    ui.keys({"C-u"});
    ui.type("accept");
    ui.keys({"Down", "C-u"});
    ui.type("ssh");
    ui.keys({"Down", "C-u"});
    ui.type("app.dmz-net.dmz");
    ui.keys({"Down", "C-u"});
    ui.type("firewall");
    ui.keys({"F10"});
    WAIT_FOR(ui, "app.dmz-net.dmz     firewall");
    WAIT_FOR(ui, "unapplied change");
    quit_to_shell(ui);

    REQUIRE(run_script({"--config-dir", cli_tree.path().string(), "-C", "-o", "app.dmz-net.dmz"}).exit_code == 0);
    REQUIRE(run_script({"--config-dir", cli_tree.path().string(), "-M", "-o", "app.dmz-net.dmz", "-V",
                        "IPADDRESS", "-S", "192.168.2.20"})
                .exit_code == 0);
    REQUIRE(run_script({"--config-dir", cli_tree.path().string(), "rules", "add",
                        "accept service ssh from app.dmz-net.dmz to firewall", "--at", "2"})
                .exit_code == 0);
    auto got = config_files(tui_tree.path());
    auto want = config_files(cli_tree.path());
    CHECK(got == want);
    CHECK(got.count("zones/dmz/networks/dmz-net/hosts/app.host") == 1);

    auto check = run_script({"--config-dir", tui_tree.path().string(), "check"});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    CHECK(check.err.find("error") == std::string::npos);
}

TEST_CASE("tui: the rule editor shows the core's diagnostics in place and writes nothing", "[tui]") {
    TUI_SKIP_WITHOUT_TMUX();
    TempDir tree, state;
    copy_default_tree(tree.path());
    const auto before = config_files(tree.path());
    Tmux ui(80, 24, tui_argv(tree.path(), state.path()));
    REQUIRE(ui.started());
    WAIT_FOR(ui, "Main Menu");
    ui.keys({"r"});
    WAIT_FOR(ui, "Firewall access");
    ui.keys({"IC"});
    WAIT_FOR(ui, "New rule");
    ui.keys({"C-u"});
    ui.type("accept");
    ui.keys({"Down", "C-u"});
    ui.type("ssh");
    ui.keys({"Down", "C-u"});
    ui.type("nosuchhost.dmz-net.dmz");
    ui.keys({"Down", "C-u"});
    ui.type("firewall");
    ui.keys({"F10"});
    WAIT_FOR(ui, "error: rule does not fit the tree");
    CHECK(ui.last_screen().find("New rule") != std::string::npos);  // still in the form
    ui.keys({"Escape"});
    WAIT_FOR(ui, "Firewall access");
    quit_to_shell(ui);
    CHECK(config_files(tree.path()) == before);
}

TEST_CASE("tui: renaming a host updates the rule and the group that name it and delete is refused "
          "while it is named",
          "[tui]") {
    TUI_SKIP_WITHOUT_TMUX();
    TempDir tree, state;
    copy_default_tree(tree.path());
    REQUIRE(run_script({"--config-dir", tree.path().string(), "rules", "add",
                        "accept service ssh from admin-pc.local.lan to firewall"})
                .exit_code == 0);
    Tmux ui(80, 24, tui_argv(tree.path(), state.path()));
    REQUIRE(ui.started());
    WAIT_FOR(ui, "Main Menu");
    open_hosts(ui, 2, "local.lan");  // dmz, inet, lan
    WAIT_FOR(ui, "admin-pc.local.lan");
    ui.keys({"r"});
    WAIT_FOR(ui, "Rename admin-pc.local.lan to");
    ui.keys({"C-u"});
    ui.type("boss-pc");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "boss-pc.local.lan");

    const std::string rules = read_file(tree.path() / "rules/rules.conf");
    CHECK(rules.find("from boss-pc.local.lan to firewall") != std::string::npos);
    CHECK(rules.find("admin-pc") == std::string::npos);
    const std::string group = read_file(tree.path() / "zones/lan/networks/local/groups/admins.group");
    CHECK(group.find("MEMBER=\"boss-pc\"") != std::string::npos);
    CHECK(group.find("admin-pc") == std::string::npos);

    ui.keys({"DC"});
    WAIT_FOR(ui, "Delete host boss-pc.local.lan?");
    ui.keys({"y"});
    WAIT_FOR(ui, "Not deleted");
    WAIT_FOR(ui, "rules/rules.conf:");
    WAIT_FOR(ui, "admins.group");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "Hosts of local.lan");
    quit_to_shell(ui);
    CHECK(fs::exists(tree.path() / "zones/lan/networks/local/hosts/boss-pc.host"));
    auto check = run_script({"--config-dir", tree.path().string(), "check"});
    CHECK(check.exit_code == 0);
}

TEST_CASE("tui: resizing to 60x20 and back in the middle of an edit redraws the form", "[tui]") {
    TUI_SKIP_WITHOUT_TMUX();
    TempDir tree, state;
    copy_default_tree(tree.path());
    Tmux ui(80, 24, tui_argv(tree.path(), state.path()));
    REQUIRE(ui.started());
    WAIT_FOR(ui, "Main Menu");
    open_hosts(ui, 2, "local.lan");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "Edit host admin-pc.local.lan");
    ui.keys({"Down", "C-u"});
    ui.type("192.168.1.");
    WAIT_FOR(ui, "192.168.1._");
    ui.resize(60, 20);
    // the status line is the 20th line now and the form is drawn again
    for (int i = 0; i < 2; ++i) {
        bool seen = ui.wait_for("unapplied");
        REQUIRE(seen);
        auto s = ui.screen();
        std::size_t lines = static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
        if (lines == 20) break;
    }
    WAIT_FOR(ui, "192.168.1._");
    {
        std::string s = ui.screen();
        INFO(s);
        CHECK(std::count(s.begin(), s.end(), '\n') == 20);
        CHECK(s.find("Edit host admin-pc") != std::string::npos);
    }
    ui.type("77");
    WAIT_FOR(ui, "192.168.1.77_");
    ui.resize(80, 24);
    WAIT_FOR(ui, "192.168.1.77_");
    ui.keys({"F10"});
    WAIT_FOR(ui, "Hosts of local.lan");
    WAIT_FOR(ui, "192.168.1.77");
    quit_to_shell(ui);
    CHECK(read_file(tree.path() / "zones/lan/networks/local/hosts/admin-pc.host").find("IPADDRESS=\"192.168.1.77\"") !=
          std::string::npos);
}

TEST_CASE("tui: a change the CLI makes while a form is open is not overwritten", "[tui]") {
    TUI_SKIP_WITHOUT_TMUX();
    TempDir tree, state;
    copy_default_tree(tree.path());
    const fs::path host = tree.path() / "zones/lan/networks/local/hosts/admin-pc.host";
    Tmux ui(80, 24, tui_argv(tree.path(), state.path()));
    REQUIRE(ui.started());
    WAIT_FOR(ui, "Main Menu");
    open_hosts(ui, 2, "local.lan");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "Edit host admin-pc.local.lan");

    SECTION("another field: both changes stay") {
        REQUIRE(run_script({"--config-dir", tree.path().string(), "-M", "-o", "admin-pc.local.lan", "-V", "COMMENT",
                            "-S", "changed by the CLI"})
                    .exit_code == 0);
        ui.keys({"Down", "C-u"});
        ui.type("192.168.1.11");
        ui.keys({"F10"});
        WAIT_FOR(ui, "Hosts of local.lan");
        const std::string text = read_file(host);
        CHECK(text.find("COMMENT=\"changed by the CLI\"") != std::string::npos);
        CHECK(text.find("IPADDRESS=\"192.168.1.11\"") != std::string::npos);
    }
    SECTION("the same field: the TUI says so and writes nothing") {
        REQUIRE(run_script({"--config-dir", tree.path().string(), "-M", "-o", "admin-pc.local.lan", "-V", "IPADDRESS",
                            "-S", "192.168.1.12"})
                    .exit_code == 0);
        ui.keys({"Down", "C-u"});
        ui.type("192.168.1.11");
        ui.keys({"F10"});
        WAIT_FOR(ui, "IPADDRESS changed on disk");
        CHECK(ui.last_screen().find("Edit host admin-pc.local.lan") != std::string::npos);
        CHECK(read_file(host).find("IPADDRESS=\"192.168.1.12\"") != std::string::npos);
        // F5 reads it again; then the edit goes through
        ui.keys({"F5"});
        WAIT_FOR(ui, "read again from disk");
        ui.keys({"Down", "C-u"});
        ui.type("192.168.1.13");
        ui.keys({"F10"});
        WAIT_FOR(ui, "Hosts of local.lan");
        CHECK(read_file(host).find("IPADDRESS=\"192.168.1.13\"") != std::string::npos);
    }
    quit_to_shell(ui);
}

TEST_CASE("tui: the program restores the terminal and exits cleanly, --help and --version", "[tui]") {
    auto help = vuurmuur::test::run_process({tui_program(), "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("--config-dir") != std::string::npos);
    auto version = vuurmuur::test::run_process({tui_program(), "--version"});
    CHECK(version.out == "vuurmuur-tui " VUURMUUR_VERSION "\n");
    auto bad = vuurmuur::test::run_process({tui_program(), "--config-dir", "/nonexistent/vm-tui"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err == "vuurmuur-tui: error: /nonexistent/vm-tui is not a directory\n");
}

TEST_CASE("tui: edit a rule, deactivate it and move it down", "[tui]") {
    TUI_SKIP_WITHOUT_TMUX();
    TempDir tree, state;
    copy_default_tree(tree.path());
    Tmux ui(80, 24, tui_argv(tree.path(), state.path()));
    REQUIRE(ui.started());
    WAIT_FOR(ui, "Main Menu");
    ui.keys({"r"});
    WAIT_FOR(ui, "Firewall access");
    ui.keys({"Down", "Enter"});
    WAIT_FOR(ui, "Edit rule 2");
    WAIT_FOR(ui, "admins.local.lan");
    ui.keys({"Down", "C-u"});
    ui.type("http");
    ui.keys({"F10"});
    WAIT_FOR(ui, "replaced rule 2");
    ui.keys({"Space"});
    WAIT_FOR(ui, "rule 2 is inactive");
    ui.keys({"+"});
    WAIT_FOR(ui, "rule 2 is rule 3 now");
    quit_to_shell(ui);
    const std::string rules = read_file(tree.path() / "rules/rules.conf");
    const std::string edited =
        "RULE=\";accept service http from admins.local.lan to firewall options log,loglimit=\\\"1\\\",logprefix=\\\"ssh-in\\\"\"\n";
    const std::string ping = "RULE=\"accept service ping from local.lan to firewall\"\n";
    INFO(rules);
    CHECK(rules.find("RULE=\"separator options comment=\\\"Firewall access\\\"\"\n" + ping + edited) == 0);
}

TEST_CASE("tui: blocklist and Vuurmuur Config edits, in monochrome at 60x20", "[tui]") {
    TUI_SKIP_WITHOUT_TMUX();
    TempDir tui_tree, cli_tree, state;
    copy_default_tree(tui_tree.path());
    copy_default_tree(cli_tree.path());
    // xterm-mono: a terminal without colours (the TUI falls back to bold, reverse and dim)
    std::vector<std::string> argv{"/usr/bin/env", "TERM=xterm-mono"};
    for (const auto& a : tui_argv(tui_tree.path(), state.path())) argv.push_back(a);
    Tmux ui(60, 20, argv);
    REQUIRE(ui.started());
    WAIT_FOR(ui, "Main Menu");
    ui.keys({"b"});
    WAIT_FOR(ui, "- BlockList");
    ui.keys({"IC"});
    WAIT_FOR(ui, "Block (IP address, host or group)");
    ui.type("192.0.2.7");
    ui.keys({"Enter"});
    WAIT_FOR(ui, " 192.0.2.7");
    ui.keys({"IC"});
    WAIT_FOR(ui, "Block (IP address, host or group)");
    ui.type("no-such-host");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "Not blocked");
    ui.keys({"Enter"});
    ui.keys({"F10"});
    WAIT_FOR(ui, "Main Menu");
    ui.keys({"c"});
    WAIT_FOR(ui, "- Vuurmuur Config");
    for (int i = 0; i < 11; ++i) ui.keys({"Down"});  // [General] + 9 settings + [Connections]
    ui.keys({"Enter"});
    WAIT_FOR(ui, "Enter = ok");
    ui.keys({"C-u"});
    ui.type("maybe");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "error: USE_SYN_LIMIT");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "Enter = ok");
    ui.keys({"C-u"});
    ui.type("No");
    ui.keys({"Enter"});
    WAIT_FOR(ui, "set USE_SYN_LIMIT");
    quit_to_shell(ui);

    REQUIRE(run_script({"--config-dir", cli_tree.path().string(), "--block", "192.0.2.7", "--no-apply"}).exit_code == 0);
    CHECK(read_file(tui_tree.path() / "rules/blocklist.conf") == read_file(cli_tree.path() / "rules/blocklist.conf"));
    const std::string conf = read_file(tui_tree.path() / "config.conf");
    CHECK(conf.find("\nUSE_SYN_LIMIT=\"No\"\n") != std::string::npos);
    CHECK(conf.find("USE_SYN_LIMIT=\"Yes\"") == std::string::npos);
}

TEST_CASE("tui: the terminal is restored on quit and when the program is terminated", "[tui]") {
    TUI_SKIP_WITHOUT_TMUX();
    TempDir tree, state;
    copy_default_tree(tree.path());
    SECTION("quit") {
        Tmux ui(80, 24, tui_argv(tree.path(), state.path()));
        REQUIRE(ui.started());
        WAIT_FOR(ui, "Main Menu");
        CHECK(ui.pane("alternate_on") == "1");
        ui.keys({"q"});
        CHECK(ui.wait_exit() == 0);
        CHECK(ui.wait_pane("alternate_on", "0"));
    }
    SECTION("SIGTERM in the middle of an edit") {
        Tmux ui(80, 24, tui_argv(tree.path(), state.path()));
        REQUIRE(ui.started());
        WAIT_FOR(ui, "Main Menu");
        ui.keys({"r"});
        WAIT_FOR(ui, "Firewall access");
        ui.keys({"IC"});
        WAIT_FOR(ui, "New rule");
        CHECK(ui.pane("alternate_on") == "1");
        // the pane runs sh, whose only child is vuurmuur-tui
        const std::string sh = ui.pane("pane_pid");
        auto child = vuurmuur::test::run_process({"/usr/bin/pgrep", "-P", sh});
        REQUIRE(child.exit_code == 0);
        REQUIRE(::kill(std::stoi(child.out), SIGTERM) == 0);
        CHECK(ui.wait_exit() == 128 + SIGTERM);
        CHECK(ui.wait_pane("alternate_on", "0"));
    }
}
