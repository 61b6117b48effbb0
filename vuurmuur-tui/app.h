// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "term.h"
#include "vuurmuur/config/store.h"
#include "vuurmuur/edit/editor.h"

/// The application frame of vuurmuur-tui: a stack of screens behind one interface, each user
/// intent a named action reached through the screen's key table, modal dialogs, and the
/// status line with the count of unapplied changes. All edits go through edit::Editor.
namespace vuurmuur::tui {

struct Options {
    std::filesystem::path config_dir = "/etc/vuurmuur";
    std::filesystem::path state_dir = "/var/lib/vuurmuur";
    unsigned confirm_seconds = 30;
};

/// One line of a key table: the keys, how the help shows them, the action's name.
struct Binding {
    std::vector<int> keys;
    std::string key_names;  ///< "Ins/i"
    std::string action;     ///< "insert"
    std::string help;       ///< "insert a rule above the selected one"
    bool hint = true;       ///< shown in the key line at the bottom
};

class App;

/// A screen: draws its body, owns a key table of named actions.
class Screen {
public:
    explicit Screen(App& app) : app_(app) {}
    virtual ~Screen() = default;
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    virtual std::string title() const = 0;
    /// The help text of this screen (F1), before its key table.
    virtual std::string help() const = 0;
    /// Draws the body into rows [top, top + height) of stdscr.
    virtual void draw(int top, int height, int width) = 0;
    /// Re-reads what the screen shows (after an edit, or when it comes back to the top).
    virtual void reload() {}
    /// A key that no binding took (typing in a form). True when used.
    virtual bool key(int ch) {
        (void)ch;
        return false;
    }

    const std::vector<Binding>& bindings() const { return bindings_; }
    /// Runs the action bound to `ch`; false when none is.
    bool dispatch(int ch);
    /// Runs a named action; false when the screen has none of that name.
    bool run(const std::string& action);

protected:
    void bind(std::vector<int> keys, std::string names, std::string action, std::string help,
              std::function<void()> fn, bool hint = true);

    App& app_;

private:
    std::vector<Binding> bindings_;
    std::map<std::string, std::function<void()>> actions_;
};

class App {
public:
    explicit App(Options options);

    /// The event loop: until the last screen is closed.
    void run();

    void push(std::unique_ptr<Screen> screen);
    /// Closes the top screen (after the current key is handled).
    void pop();
    void quit() { quit_ = true; }

    /// Redraws everything: title, the top screen, the key line and the status line.
    void redraw();

    // Modal dialogs. Each handles KEY_RESIZE by redrawing what lies beneath it.
    bool confirm(const std::string& question);
    std::optional<std::string> prompt(const std::string& question, const std::string& initial = {});
    std::optional<std::size_t> pick(const std::string& title, const std::vector<std::string>& items,
                                    std::size_t initial = 0);
    void message(const std::string& title, const std::vector<std::string>& lines);
    /// F1: the help of the top screen and its key table.
    void help();

    const Options& options() const { return options_; }
    config::Store& store() { return store_; }
    edit::Editor& editor() { return editor_; }

    /// Shows the result of an edit in the status line; a change that was written counts as
    /// pending until the next apply. Returns result.ok().
    bool report(const edit::Result& result);
    void status(std::string text) { status_ = std::move(text); }
    void applied() { pending_ = 0; }
    std::size_t pending() const { return pending_; }

private:
    Options options_;
    config::Store store_;
    edit::Editor editor_;
    std::vector<std::unique_ptr<Screen>> stack_;
    std::size_t pops_ = 0;
    bool quit_ = false;
    std::size_t pending_ = 0;
    std::string status_;
};

/// A scrolling list with a cursor: the base of every list screen.
class ListScreen : public Screen {
public:
    explicit ListScreen(App& app);
    void draw(int top, int height, int width) override;

protected:
    struct Row {
        std::string text;
        Style style = Style::Normal;
    };
    /// The header line above the list (column titles); empty for none.
    virtual std::string header() const { return {}; }
    void set_rows(std::vector<Row> rows);
    std::size_t cursor() const { return cursor_; }
    void set_cursor(std::size_t at);
    bool empty() const { return rows_.empty(); }
    const std::vector<Row>& rows() const { return rows_; }

private:
    std::vector<Row> rows_;
    std::size_t cursor_ = 0;
    std::size_t top_ = 0;
    int page_ = 10;
};

/// A form of labelled fields; typing edits the focused field, Enter opens its pick list.
class FormScreen : public Screen {
public:
    explicit FormScreen(App& app);
    void draw(int top, int height, int width) override;
    bool key(int ch) override;

protected:
    struct Field {
        std::string label;
        std::string value;
        std::string original;                 ///< the value when the form was opened
        std::vector<std::string> options;     ///< pick list (Enter), empty for free text
        bool multi = false;                   ///< a comma-separated list: picks are added
        bool cycle = false;                   ///< Space steps through the options (Yes/No)
    };
    /// Writes the form through the core. True when saved (the form closes).
    virtual bool save() = 0;
    /// Lines shown under the fields: the core's diagnostics, conflicts.
    void set_messages(std::vector<std::string> lines) { messages_ = std::move(lines); }
    bool changed() const;

    std::vector<Field> fields_;
    std::size_t focus_ = 0;

private:
    void pick_value();
    std::vector<std::string> messages_;
};

std::string trim_copy(const std::string& s);
/// "a, b" -> {"a", "b"}; empty items dropped.
std::vector<std::string> split_list(const std::string& text);
std::string join_list(const std::vector<std::string>& values);

}  // namespace vuurmuur::tui
