// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cctype>

#include "screens.h"
#include "vuurmuur/config/rule_parser.h"
#include "vuurmuur/edit/rulesets.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/view/listing.h"

namespace vuurmuur::tui {

namespace {

using model::Action;

Style action_style(const model::Rule& rule) {
    switch (rule.action) {
        case Action::Accept: return Style::Accept;
        case Action::Drop: return Style::Drop;
        case Action::Reject: return Style::Reject;
        case Action::Portfw:
        case Action::Redirect:
        case Action::Snat:
        case Action::Masq:
        case Action::Dnat:
        case Action::Bounce: return Style::Nat;
        case Action::Separator: return Style::Separator;
        default: return Style::Log;
    }
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// The options part of a rule text ("" when none).
std::string options_of(const std::string& text) {
    auto at = text.find(" options ");
    return at == std::string::npos ? std::string() : trim_copy(text.substr(at + 9));
}

class RulesScreen : public ListScreen {
public:
    explicit RulesScreen(App& app) : ListScreen(app) {
        bind({KEY_IC, 'i'}, "Ins", "insert", "insert a rule above the selected one", [this] { insert(); });
        bind({10, 13, KEY_ENTER, 'e', KEY_RIGHT}, "Enter", "edit", "edit the selected rule", [this] { edit(); });
        bind({KEY_DC, 'd'}, "Del", "delete", "delete the selected rule (asks first)", [this] { remove(); });
        bind({' '}, "Space", "toggle", "activate / deactivate the selected rule", [this] { toggle(); });
        bind({'-'}, "-", "move-up", "move the selected rule up", [this] { move(-1); });
        bind({'+'}, "+", "move-down", "move the selected rule down", [this] { move(+1); });
        bind({'/', 'f'}, "/", "search", "find the next rule containing a text", [this] { search(); });
        bind({'n'}, "n", "next", "find the next match again", [this] { find_next(); }, false);
        bind({KEY_F(10), 'q', 27}, "F10/q", "back", "back to the main menu", [this] { app_.pop(); });
    }

    std::string title() const override { return "Rules"; }
    std::string help() const override {
        return "The rules of rules.conf, in order; the first match decides.\n"
               "Colours: green accept, red drop, magenta reject, cyan NAT, yellow log and\n"
               "separators; dimmed rules are inactive (';' in the file).";
    }

    std::string header() const override {
        return fit("Nr", 4) + fit("Action", 8) + fit("Service", 11) + fit("From", 20) + fit("To", 20) + "Options";
    }

    void reload() override {
        diag::Diagnostics diags;
        entries_ = edit::list_rules(app_.store().load(diags));
        std::vector<Row> rows;
        for (const auto& e : entries_) {
            char nr[16];
            std::snprintf(nr, sizeof nr, "%3zu ", e.number);
            Row row;
            if (!e.rule) {
                row.text = std::string(nr) + "(does not parse) " + e.text;
                row.style = Style::Error;
            } else if (e.rule->is_separator()) {
                std::string c = e.rule->options.comment.value_or("");
                row.text = std::string(nr) + "--- " + c + " " + std::string(40, '-');
                row.style = Style::Separator;
            } else {
                const model::Rule& r = *e.rule;
                row.text = std::string(nr) + fit(model::action_name(r.action), 8) + fit(r.service, 11) +
                           fit(r.from, 20) + fit(r.to, 20) + options_of(e.text);
                row.style = action_style(r);
            }
            if (!e.active) {
                row.text.replace(3, 1, ";");
                row.style = Style::Inactive;
            }
            rows.push_back(std::move(row));
        }
        set_rows(std::move(rows));
    }

private:
    const edit::RuleEntry* selected() const {
        return cursor() < entries_.size() ? &entries_[cursor()] : nullptr;
    }

    void insert() {
        std::optional<std::size_t> at;
        if (const auto* e = selected()) at = e->number;
        app_.push(rule_form(app_, at, std::nullopt, {}));
    }

    void edit() {
        if (const auto* e = selected()) app_.push(rule_form(app_, std::nullopt, e->number, e->text));
    }

    void remove() {
        const auto* e = selected();
        if (e == nullptr) return;
        if (!app_.confirm("Delete rule " + std::to_string(e->number) + "?")) return;
        app_.report(app_.editor().rule_delete(e->number));
        reload();
    }

    void toggle() {
        const auto* e = selected();
        if (e == nullptr) return;
        app_.report(app_.editor().rule_set_active(e->number, !e->active));
        reload();
    }

    void move(int delta) {
        const auto* e = selected();
        if (e == nullptr) return;
        if ((delta < 0 && e->number == 1) || (delta > 0 && e->number == entries_.size())) return;
        std::size_t to = delta < 0 ? e->number - 1 : e->number + 1;
        if (app_.report(app_.editor().rule_move(e->number, to))) set_cursor(to - 1);
        reload();
    }

    void search() {
        auto text = app_.prompt("Search rules for", needle_);
        if (!text) return;
        needle_ = *text;
        find_next();
    }

    void find_next() {
        if (needle_.empty() || entries_.empty()) return;
        const std::string n = lower(needle_);
        for (std::size_t k = 1; k <= entries_.size(); ++k) {
            std::size_t i = (cursor() + k) % entries_.size();
            if (lower(entries_[i].text).find(n) != std::string::npos) {
                set_cursor(i);
                app_.status("found '" + needle_ + "' in rule " + std::to_string(i + 1));
                return;
            }
        }
        app_.status("'" + needle_ + "' not found");
    }

    std::vector<edit::RuleEntry> entries_;
    std::string needle_;
};

/// Option templates that fit an action (the Options field's pick list).
std::vector<std::string> options_for(const std::string& action) {
    std::vector<std::string> o{"log", "loglimit=\"1\"", "logprefix=\"\"", "comment=\"\"", "limit=\"10/sec\"",
                               "burst=\"20\"", "in_int=\"\"", "out_int=\"\""};
    if (action == "reject") o.insert(o.begin(), "rejecttype=\"tcp-reset\"");
    if (action == "portfw" || action == "dnat") {
        o.insert(o.begin(), {"listenport=\"\"", "remoteport=\"\""});
    }
    if (action == "redirect") o.insert(o.begin(), "redirectport=\"\"");
    if (action == "chain") o.insert(o.begin(), "chain=\"\"");
    if (action == "nfqueue") o.insert(o.begin(), "nfqueuenum=\"0\"");
    if (action == "nflog") o.insert(o.begin(), "nflognum=\"1\"");
    if (action == "snat" || action == "masq") o.insert(o.begin(), "via_int=\"\"");
    if (action == "separator") o = {"comment=\"\""};
    return o;
}

class RuleForm : public FormScreen {
public:
    RuleForm(App& app, std::optional<std::size_t> at, std::optional<std::size_t> number, std::string text)
        : FormScreen(app), at_(at), number_(number), original_text_(std::move(text)) {}

    std::string title() const override {
        return number_ ? "Edit rule " + std::to_string(*number_) : "New rule";
    }
    std::string help() const override {
        return "The rule editor. Enter on Action, Service, From, To or Options opens a pick\n"
               "list; you can also type. Options are comma-separated, e.g.\n"
               "  log,loglimit=\"1\",comment=\"admins\"\n"
               "The rule is checked by the core before it is written; problems are shown\n"
               "under the form and nothing is written.";
    }

    void reload() override {
        if (!fields_.empty()) return;
        diag::Diagnostics diags;
        auto loaded = load_and_check(app_.options().config_dir, diags);
        std::vector<std::string> actions;
        for (int a = 0; a <= static_cast<int>(Action::Separator); ++a) {
            actions.emplace_back(model::action_name(static_cast<Action>(a)));
        }
        std::vector<std::string> services{"any"};
        for (auto& s : view::list_objects(loaded.config, model::ObjectKind::Service, "any")) services.push_back(s);
        std::vector<std::string> ends{"firewall", "firewall(any)", "any"};
        for (auto k : {model::ObjectKind::Zone, model::ObjectKind::Network, model::ObjectKind::Host,
                       model::ObjectKind::Group}) {
            for (auto& s : view::list_objects(loaded.config, k, "any")) ends.push_back(s);
        }
        std::string action = "drop", service = "any", from = "any", to = "any", options;
        if (number_) {
            diag::Diagnostics ignored;
            std::string body = original_text_;
            if (!body.empty() && body.front() == ';') body.erase(0, 1);
            if (auto r = config::parse_rule(body, {"rule", 1, 1}, ignored)) {
                action = std::string(model::action_name(r->action));
                service = r->service;
                from = r->from;
                to = r->to;
                options = options_of(body);
            }
        }
        fields_.push_back({"Action", action, action, actions, false, true});
        fields_.push_back({"Service", service, service, services, false, false});
        fields_.push_back({"From", from, from, ends, false, false});
        fields_.push_back({"To", to, to, ends, false, false});
        fields_.push_back({"Options", options, options, options_for(action), true, false});
        if (!number_) {
            for (auto& f : fields_) f.original.clear();  // a new rule: everything is a change
        }
    }

    void draw(int top, int height, int width) override {
        fields_[4].options = options_for(fields_[0].value);
        FormScreen::draw(top, height, width);
    }

private:
    std::string text() const {
        const std::string action = trim_copy(fields_[0].value);
        std::string opts = trim_copy(fields_[4].value);
        // picks are joined with ", "; the rule language takes ","
        std::string compact;
        bool quoted = false;
        for (std::size_t i = 0; i < opts.size(); ++i) {
            if (opts[i] == '"') quoted = !quoted;
            if (!quoted && opts[i] == ' ' && i > 0 && opts[i - 1] == ',') continue;
            compact += opts[i];
        }
        std::string t = action;
        if (lower(action) != "separator") {
            t += " service " + trim_copy(fields_[1].value) + " from " + trim_copy(fields_[2].value) + " to " +
                 trim_copy(fields_[3].value);
        }
        if (!compact.empty()) t += " options " + compact;
        return t;
    }

    bool save() override {
        const std::string t = text();
        diag::Diagnostics diags;
        auto rule = config::parse_rule(t, {"rule", 1, 1}, diags);
        std::vector<std::string> lines{"rule: " + t};
        for (const auto& d : diags.all()) lines.push_back(diag::render(d, ""));
        if (!rule || diags.has_errors()) {
            lines.push_back("error: not saved");
            set_messages(lines);
            return false;
        }
        edit::Result r = number_ ? app_.editor().rule_replace(*number_, t, original_text_)
                                 : app_.editor().rule_add(t, at_);
        if (!app_.report(r)) {
            lines.push_back("error: " + r.message);
            set_messages(lines);
            return false;
        }
        if (!number_) {
            number_ = at_.value_or(0);
            if (!at_) {
                diag::Diagnostics ignored;
                number_ = edit::list_rules(app_.store().load(ignored)).size();
            }
        }
        diag::Diagnostics ignored;
        auto rules = edit::list_rules(app_.store().load(ignored));
        if (*number_ >= 1 && *number_ <= rules.size()) original_text_ = rules[*number_ - 1].text;
        set_messages({r.message});
        return true;
    }

    std::optional<std::size_t> at_;
    std::optional<std::size_t> number_;
    std::string original_text_;
};

}  // namespace

std::unique_ptr<Screen> rules_screen(App& app) { return std::make_unique<RulesScreen>(app); }

std::unique_ptr<Screen> rule_form(App& app, std::optional<std::size_t> at, std::optional<std::size_t> number,
                                  const std::string& text) {
    return std::make_unique<RuleForm>(app, at, number, text);
}

}  // namespace vuurmuur::tui
