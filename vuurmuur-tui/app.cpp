// SPDX-License-Identifier: GPL-2.0-or-later
#include "app.h"

#include <algorithm>
#include <stdexcept>

namespace vuurmuur::tui {

namespace {

constexpr int kKeyEnter = 10;
constexpr int kKeyReturn = 13;
constexpr int kKeyEscape = 27;

bool is_enter(int ch) { return ch == kKeyEnter || ch == kKeyReturn || ch == KEY_ENTER; }
bool is_backspace(int ch) { return ch == KEY_BACKSPACE || ch == 127 || ch == 8; }

/// Reads one key from `win`, as a UTF-8 string for text and a key code otherwise.
struct Key {
    int code = 0;      ///< KEY_* or a control character; 0 for text
    std::string text;  ///< UTF-8 of a printable character
};

Key read_key(WINDOW* win) {
    wint_t wc = 0;
    int r = wget_wch(win, &wc);
    if (r == KEY_CODE_YES) return {static_cast<int>(wc), {}};
    if (r == ERR) return {ERR, {}};
    if (wc < 32 || wc == 127) return {static_cast<int>(wc), {}};
    char buf[MB_LEN_MAX + 1] = {};
    std::mbstate_t st{};
    std::size_t n = std::wcrtomb(buf, static_cast<wchar_t>(wc), &st);
    if (n == static_cast<std::size_t>(-1)) return {0, {}};
    return {0, std::string(buf, n)};
}

void pop_utf8(std::string& s) {
    while (!s.empty()) {
        unsigned char c = static_cast<unsigned char>(s.back());
        s.pop_back();
        if ((c & 0xC0) != 0x80) break;
    }
}

}  // namespace

std::string trim_copy(const std::string& s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        std::string item = trim_copy(text.substr(start, comma - start));
        if (!item.empty()) out.push_back(item);
        start = comma + 1;
    }
    return out;
}

std::string join_list(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
    return out;
}

// ---- Screen ----

void Screen::bind(std::vector<int> keys, std::string names, std::string action, std::string help,
                  std::function<void()> fn, bool hint) {
    if (actions_.count(action) != 0) throw std::logic_error("action '" + action + "' is bound twice");
    bindings_.push_back({std::move(keys), std::move(names), action, std::move(help), hint});
    actions_[action] = std::move(fn);
}

bool Screen::dispatch(int ch) {
    for (const auto& b : bindings_) {
        if (std::find(b.keys.begin(), b.keys.end(), ch) != b.keys.end()) return run(b.action);
    }
    return false;
}

bool Screen::run(const std::string& action) {
    auto it = actions_.find(action);
    if (it == actions_.end()) return false;
    auto fn = it->second;  // the action may change the screen's tables
    fn();
    return true;
}

// ---- App ----

App::App(Options options)
    : options_(std::move(options)),
      store_(options_.config_dir),
      editor_(store_, edit::syslog_sink("vuurmuur-tui"), edit::current_user()) {}

void App::push(std::unique_ptr<Screen> screen) {
    screen->reload();
    stack_.push_back(std::move(screen));
}

void App::pop() { ++pops_; }

bool App::report(const edit::Result& result) {
    if (!result.ok()) {
        status_ = "error: " + result.message;
        return false;
    }
    if (!result.changes.empty()) pending_ += result.changes.size();
    status_ = result.message;
    return true;
}

void App::redraw() {
    erase();
    const int h = LINES;
    const int w = COLS;
    if (h < 8 || w < 30) {
        put(stdscr, 0, 0, "terminal too small", w, A_BOLD);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    Screen* top = stack_.empty() ? nullptr : stack_.back().get();
    std::string title = "Vuurmuur " VUURMUUR_VERSION;
    if (top != nullptr) title += " - " + top->title();
    put(stdscr, 0, 0, " " + title, w, Terminal::attr(Style::Title));
    if (top != nullptr) {
        top->draw(1, h - 3, w);
        std::string hints = " F1 help";
        for (const auto& b : top->bindings()) {
            if (b.hint) hints += "  " + b.key_names + " " + b.action;
        }
        put(stdscr, h - 2, 0, hints, w, Terminal::attr(Style::Hints));
    }
    std::string status = " " + std::to_string(pending_) + " unapplied change" + (pending_ == 1 ? "" : "s");
    if (!status_.empty()) status += " | " + status_;
    put(stdscr, h - 1, 0, status, w,
        Terminal::attr(status_.rfind("error", 0) == 0 ? Style::Error : Style::Status));
    wnoutrefresh(stdscr);
    update_panels();
    doupdate();
}

void App::run() {
    while (!stack_.empty() && !quit_) {
        redraw();
        Key k = read_key(stdscr);
        if (k.code == ERR || k.code == KEY_RESIZE) continue;
        Screen* top = stack_.back().get();
        const std::size_t depth = stack_.size();
        const int ch = k.code != 0 ? k.code : static_cast<unsigned char>(k.text[0]);
        bool used = false;
        if (k.code == KEY_F(1)) {
            help();
            used = true;
        }
        // Forms take printable text before the key table (so 'q' can be typed); other
        // screens give their key table the first say.
        if (!used && k.code == 0 && top->key(0) && k.text.size() >= 1) {
            // key(0) answers "do you take text?"; feed the UTF-8 bytes one by one
            for (char c : k.text) top->key(static_cast<unsigned char>(c));
            used = true;
        }
        if (!used) used = top->dispatch(ch);
        if (!used) top->key(ch);
        while (pops_ > 0 && !stack_.empty()) {
            --pops_;
            stack_.pop_back();
        }
        if (!stack_.empty() && stack_.size() < depth) stack_.back()->reload();
    }
}

bool App::confirm(const std::string& question) {
    for (;;) {
        redraw();
        Popup p(5, std::max(30, std::min(COLS - 2, text_width(question) + 6)));
        p.frame("Confirm");
        put(p.win(), 1, 2, question, p.width() - 4, A_NORMAL);
        put(p.win(), 3, 2, "y = yes, n/Esc = no", p.width() - 4, A_DIM);
        p.show();
        Key k = read_key(p.win());
        if (k.code == KEY_RESIZE || k.code == ERR) continue;
        if (k.text == "y" || k.text == "Y") return true;
        if (k.text == "n" || k.text == "N" || k.code == kKeyEscape || k.code == KEY_F(10)) return false;
    }
}

std::optional<std::string> App::prompt(const std::string& question, const std::string& initial) {
    std::string value = initial;
    for (;;) {
        redraw();
        Popup p(6, std::min(COLS - 2, 64));
        p.frame(question);
        put(p.win(), 2, 2, value + "_", p.width() - 4, Terminal::attr(Style::FieldFocus));
        put(p.win(), 4, 2, "Enter = ok, Esc = cancel", p.width() - 4, A_DIM);
        p.show();
        Key k = read_key(p.win());
        if (k.code == KEY_RESIZE || k.code == ERR) continue;
        if (k.code == 0) {
            if (value.size() < 512) value += k.text;
        } else if (is_enter(k.code)) {
            return value;
        } else if (k.code == kKeyEscape || k.code == KEY_F(10)) {
            return std::nullopt;
        } else if (is_backspace(k.code)) {
            pop_utf8(value);
        } else if (k.code == 21) {  // Ctrl-U
            value.clear();
        }
    }
}

std::optional<std::size_t> App::pick(const std::string& title, const std::vector<std::string>& items,
                                     std::size_t initial) {
    if (items.empty()) return std::nullopt;
    std::size_t cur = std::min(initial, items.size() - 1);
    std::size_t first = 0;
    for (;;) {
        redraw();
        int width = text_width(title) + 6;
        for (const auto& i : items) width = std::max(width, text_width(i) + 6);
        Popup p(static_cast<int>(items.size()) + 2, width);
        p.frame(title);
        const std::size_t rows = static_cast<std::size_t>(std::max(1, p.height() - 2));
        if (cur < first) first = cur;
        if (cur >= first + rows) first = cur - rows + 1;
        for (std::size_t r = 0; r < rows && first + r < items.size(); ++r) {
            put(p.win(), static_cast<int>(r) + 1, 1, " " + items[first + r], p.width() - 2,
                first + r == cur ? Terminal::attr(Style::Selected) : A_NORMAL);
        }
        p.show();
        Key k = read_key(p.win());
        if (k.code == KEY_RESIZE || k.code == ERR) continue;
        if (k.code == KEY_UP && cur > 0) --cur;
        else if (k.code == KEY_DOWN && cur + 1 < items.size()) ++cur;
        else if (k.code == KEY_PPAGE) cur = cur > rows ? cur - rows : 0;
        else if (k.code == KEY_NPAGE) cur = std::min(items.size() - 1, cur + rows);
        else if (k.code == KEY_HOME) cur = 0;
        else if (k.code == KEY_END) cur = items.size() - 1;
        else if (is_enter(k.code)) return cur;
        else if (k.code == kKeyEscape || k.code == KEY_F(10)) return std::nullopt;
        else if (k.code == 0) {
            // type-ahead: the next item starting with the typed text
            for (std::size_t n = 1; n <= items.size(); ++n) {
                std::size_t i = (cur + n) % items.size();
                if (items[i].rfind(k.text, 0) == 0) {
                    cur = i;
                    break;
                }
            }
        }
    }
}

void App::message(const std::string& title, const std::vector<std::string>& lines) {
    std::size_t first = 0;
    for (;;) {
        redraw();
        int width = text_width(title) + 6;
        for (const auto& l : lines) width = std::max(width, text_width(l) + 4);
        Popup p(static_cast<int>(lines.size()) + 4, width);
        p.frame(title);
        const std::size_t rows = static_cast<std::size_t>(std::max(1, p.height() - 4));
        for (std::size_t r = 0; r < rows && first + r < lines.size(); ++r) {
            put(p.win(), static_cast<int>(r) + 1, 2, lines[first + r], p.width() - 4, A_NORMAL);
        }
        put(p.win(), p.height() - 2, 2, "Enter/Esc = close", p.width() - 4, A_DIM);
        p.show();
        Key k = read_key(p.win());
        if (k.code == KEY_RESIZE || k.code == ERR) continue;
        if (k.code == KEY_DOWN && first + rows < lines.size()) ++first;
        else if (k.code == KEY_UP && first > 0) --first;
        else if (is_enter(k.code) || k.code == kKeyEscape || k.code == KEY_F(10) || k.text == "q") return;
    }
}

void App::help() {
    if (stack_.empty()) return;
    Screen* top = stack_.back().get();
    std::vector<std::string> lines;
    std::string text = top->help();
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    lines.push_back("");
    lines.push_back("Keys:");
    lines.push_back(fit("  F1", 14) + "this help");
    for (const auto& b : top->bindings()) lines.push_back(fit("  " + b.key_names, 14) + b.help);
    message("Help: " + top->title(), lines);
}

// ---- ListScreen ----

ListScreen::ListScreen(App& app) : Screen(app) {
    bind({KEY_UP}, "Up", "up", "previous line", [this] { if (cursor_ > 0) set_cursor(cursor_ - 1); }, false);
    bind({KEY_DOWN}, "Down", "down", "next line", [this] { set_cursor(cursor_ + 1); }, false);
    bind({KEY_PPAGE}, "PgUp", "page-up", "previous page",
         [this] {
             const auto page = static_cast<std::size_t>(page_);
             set_cursor(cursor_ > page ? cursor_ - page : 0);
         }, false);
    bind({KEY_NPAGE}, "PgDn", "page-down", "next page", [this] { set_cursor(cursor_ + static_cast<std::size_t>(page_)); }, false);
    bind({KEY_HOME}, "Home", "first", "first line", [this] { set_cursor(0); }, false);
    bind({KEY_END}, "End", "last", "last line", [this] { set_cursor(rows_.size()); }, false);
}

void ListScreen::set_rows(std::vector<Row> rows) {
    rows_ = std::move(rows);
    set_cursor(cursor_);
}

void ListScreen::set_cursor(std::size_t at) {
    cursor_ = rows_.empty() ? 0 : std::min(at, rows_.size() - 1);
}

void ListScreen::draw(int top, int height, int width) {
    std::string head = header();
    if (!head.empty()) {
        put(stdscr, top, 0, " " + head, width, A_BOLD | A_UNDERLINE);
        ++top;
        --height;
    }
    page_ = std::max(1, height);
    const std::size_t rows = static_cast<std::size_t>(page_);
    if (cursor_ < top_) top_ = cursor_;
    if (cursor_ >= top_ + rows) top_ = cursor_ - rows + 1;
    if (rows_.empty()) put(stdscr, top, 1, "(empty)", width - 1, A_DIM);
    for (std::size_t r = 0; r < rows && top_ + r < rows_.size(); ++r) {
        const Row& row = rows_[top_ + r];
        attr_t a = Terminal::attr(row.style);
        if (top_ + r == cursor_) a = Terminal::attr(Style::Selected) | (row.style == Style::Inactive ? A_DIM : 0);
        put(stdscr, top + static_cast<int>(r), 0, " " + row.text, width, a);
    }
}

// ---- FormScreen ----

FormScreen::FormScreen(App& app) : Screen(app) {
    bind({KEY_UP, KEY_BTAB}, "Up", "previous", "previous field",
         [this] { if (focus_ > 0) --focus_; }, false);
    bind({KEY_DOWN, '\t'}, "Down/Tab", "next", "next field",
         [this] { if (focus_ + 1 < fields_.size()) ++focus_; }, false);
    bind({KEY_F(2)}, "F2", "save", "save and stay", [this] {
        if (save()) {
            for (auto& f : fields_) f.original = f.value;
        }
    });
    bind({KEY_F(10)}, "F10", "save+back", "save and go back (stays when the core refuses)", [this] {
        if (!changed() || save()) app_.pop();
    });
    bind({27, KEY_F(3)}, "Esc", "cancel", "go back without saving", [this] { app_.pop(); });
    bind({10, 13, KEY_ENTER}, "Enter", "pick", "pick a value from the list (when the field has one)",
         [this] { pick_value(); });
    bind({21}, "Ctrl-U", "clear", "clear the field", [this] {
        if (focus_ < fields_.size()) fields_[focus_].value.clear();
    }, false);
}

bool FormScreen::changed() const {
    for (const auto& f : fields_) {
        if (f.value != f.original) return true;
    }
    return false;
}

void FormScreen::pick_value() {
    if (focus_ >= fields_.size()) return;
    Field& f = fields_[focus_];
    if (f.options.empty()) return;
    std::size_t initial = 0;
    for (std::size_t i = 0; i < f.options.size(); ++i) {
        if (f.options[i] == f.value) initial = i;
    }
    auto chosen = app_.pick(f.label, f.options, initial);
    if (!chosen) return;
    const std::string& v = f.options[*chosen];
    if (!f.multi) {
        f.value = v;
        return;
    }
    auto items = split_list(f.value);
    if (std::find(items.begin(), items.end(), v) == items.end()) items.push_back(v);
    f.value = join_list(items);
}

bool FormScreen::key(int ch) {
    if (ch == 0) return true;  // forms take text
    if (focus_ >= fields_.size()) return false;
    Field& f = fields_[focus_];
    if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        pop_utf8(f.value);
        return true;
    }
    if (ch == ' ' && f.cycle && !f.options.empty()) {
        auto it = std::find(f.options.begin(), f.options.end(), f.value);
        f.value = (it == f.options.end() || it + 1 == f.options.end()) ? f.options.front() : *(it + 1);
        return true;
    }
    if (ch >= 32 && ch != 127 && ch < 256) {
        if (f.value.size() < 1024) f.value.push_back(static_cast<char>(ch));
        return true;
    }
    return false;
}

void FormScreen::draw(int top, int height, int width) {
    int label_w = 0;
    for (const auto& f : fields_) label_w = std::max(label_w, text_width(f.label));
    label_w = std::min(label_w + 1, width / 3);
    int y = top + 1;
    for (std::size_t i = 0; i < fields_.size() && y < top + height; ++i, ++y) {
        const Field& f = fields_[i];
        put(stdscr, y, 1, f.label, label_w, f.value != f.original ? A_BOLD : A_NORMAL);
        std::string shown = f.value;
        if (i == focus_) shown += "_";
        if (!f.options.empty()) shown += (i == focus_ ? "  [Enter: pick]" : "");
        put(stdscr, y, label_w + 2, shown, width - label_w - 3,
            Terminal::attr(i == focus_ ? Style::FieldFocus : Style::Field));
    }
    ++y;
    for (const auto& m : messages_) {
        if (y >= top + height) break;
        bool err = m.find("error") != std::string::npos;
        put(stdscr, y++, 1, m, width - 2, err ? Terminal::attr(Style::Error) : A_BOLD);
    }
}

}  // namespace vuurmuur::tui
