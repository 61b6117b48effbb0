// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <chrono>

#include "screens.h"
#include "vuurmuur/apply/apply.h"
#include "vuurmuur/apply/drift.h"

namespace vuurmuur::tui {

namespace {

class ApplyScreen : public ListScreen {
public:
    explicit ApplyScreen(App& app) : ListScreen(app) {
        bind({'a', 10, 13, KEY_ENTER}, "a", "apply", "apply, then confirm within the countdown",
             [this] { apply(false); });
        bind({'t'}, "t", "test", "check, compile and test-load only (nothing changes)", [this] { apply(true); });
        bind({KEY_F(5)}, "F5", "refresh", "compute the changes again", [this] { reload(); });
        bind({KEY_F(10), 'q', 27}, "F10/q", "back", "back to the main menu", [this] { app_.pop(); });
    }
    std::string title() const override { return "Apply changes"; }
    std::string help() const override {
        return "What will change: the compiled rulesets compared with what the kernel runs\n"
               "now (+ added, - removed). 'a' loads IPv4 and IPv6 as one and then counts\n"
               "down: confirm with y or Enter. Without a confirmation in time the apply\n"
               "watcher restores the previous ruleset by itself (also when this program or\n"
               "the SSH session is gone).";
    }

    void reload() override {
        // What the kernel runs now against what the tree compiles to, chain by chain, in
        // iptables-save's spelling (apply/drift.h, as `vuurmuur-script diff`).
        apply::DriftReport drift = apply::drift(app_.options().config_dir, {});
        drift.diags.sort();
        std::vector<Row> rows;
        for (const auto& d : drift.diags.all()) {
            rows.push_back({diag::render(d, ""), d.severity == diag::Severity::Error ? Style::Error : Style::Log});
        }
        if (drift.diags.has_errors()) {
            rows.insert(rows.begin(), {"The config has errors: nothing can be applied.", Style::Error});
            set_rows(std::move(rows));
            return;
        }
        if (!drift.error.empty()) {
            rows.insert(rows.begin(), {"Cannot compare with the running ruleset: " + drift.error, Style::Error});
            set_rows(std::move(rows));
            return;
        }
        std::size_t added = 0, removed = 0;
        std::vector<Row> body;
        // long rule lines wrap (continuations indented), so all of a rule can be read
        const std::size_t width = static_cast<std::size_t>(std::max(20, COLS - 4));
        for (const auto& c : drift.chains) {
            std::string head = "## " + c.family + " " + c.table + " " + c.chain;
            if (c.status == apply::ChainDrift::Status::MissingInKernel) head += " (new chain)";
            else if (c.kernel_policy != c.config_policy) head += " (policy " + c.kernel_policy + " -> " + c.config_policy + ")";
            body.push_back({head, Style::Separator});
            for (const auto& line : c.lines) {
                const Style style = line.op == '+' ? Style::Added : Style::Removed;
                std::string prefix = std::string(1, line.op) + " ";
                for (std::size_t at = 0; at < line.text.size(); at += width) {
                    body.push_back({prefix + line.text.substr(at, width), style});
                    prefix = "    ";
                }
            }
            added += c.added;
            removed += c.removed;
        }
        rows.insert(rows.begin(), {drift.chains.empty() ? "No changes: the kernel runs this config already."
                                                        : "Changes: +" + std::to_string(added) + " -" +
                                                              std::to_string(removed) + " rules",
                                   Style::Normal});
        rows.insert(rows.begin() + 1, {"Compared with the ruleset the kernel runs now", Style::Normal});
        for (auto& r : body) rows.push_back(std::move(r));
        set_rows(std::move(rows));
    }

private:
    void show(const std::vector<std::string>& lines, const std::string& extra = {}) {
        std::vector<Row> rows;
        for (const auto& l : lines) rows.push_back({l, l.rfind("error", 0) == 0 ? Style::Error : Style::Normal});
        if (!extra.empty()) rows.push_back({extra, Style::Separator});
        set_rows(std::move(rows));
    }

    void apply(bool test) {
        std::vector<std::string> log{test ? "Testing ..." : "Applying ..."};
        show(log);
        app_.status(test ? "testing ..." : "applying ...");
        app_.redraw();
        apply::Request rq;
        rq.config_dir = app_.options().config_dir;
        rq.state_dir = app_.options().state_dir;
        rq.test_only = test;
        if (!test) rq.confirm_seconds = app_.options().confirm_seconds;
        apply::Report report = apply::apply(rq);
        report.diags.sort();
        for (const auto& d : report.diags.all()) log.push_back(diag::render(d, ""));
        for (const auto& m : report.messages) log.push_back(m);
        if (test || report.config_errors || report.failed || report.busy || report.watcher_pid == 0) {
            const bool ok = !report.config_errors && !report.failed && !report.busy;
            app_.status(ok ? (test ? "test passed" : "applied") : "error: not applied");
            if (ok && !test) app_.applied();
            show(log, ok ? "Done." : "Not applied.");
            return;
        }
        countdown(log, report.watcher_pid);
    }

    void countdown(std::vector<std::string> log, long watcher) {
        using clock = std::chrono::steady_clock;
        const auto deadline = clock::now() + std::chrono::seconds(app_.options().confirm_seconds);
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - clock::now()).count();
            if (left <= 0) break;
            show(log, "Keep the new ruleset? Press y or Enter to confirm (" + std::to_string(left) + " s left)");
            app_.status("waiting for confirmation: " + std::to_string(left) + " s");
            app_.redraw();
            timeout(250);
            int ch = getch();
            timeout(-1);
            if (ch == 'y' || ch == 'Y' || ch == 10 || ch == 13 || ch == KEY_ENTER) {
                apply::ConfirmResult r = apply::confirm(app_.options().state_dir);
                log.push_back(r.message);
                const bool ok = r.outcome == apply::ConfirmResult::Outcome::Confirmed;
                if (ok) app_.applied();
                app_.status(ok ? "confirmed: the new ruleset stays" : "error: " + r.message);
                show(log, ok ? "Confirmed: the new ruleset stays." : "Not confirmed.");
                return;
            }
        }
        log.push_back("No confirmation in time: the previous ruleset is being restored ...");
        show(log);
        app_.status("restoring the previous ruleset ...");
        app_.redraw();
        const bool gone = apply::wait_for_exit(watcher, std::chrono::seconds(120));
        app_.status(gone ? "the previous ruleset is back" : "error: the apply watcher did not finish");
        show(log, gone ? "Rolled back: the previous ruleset is back." : "The watcher is still running.");
    }
};

}  // namespace

std::unique_ptr<Screen> apply_screen(App& app) { return std::make_unique<ApplyScreen>(app); }

}  // namespace vuurmuur::tui
