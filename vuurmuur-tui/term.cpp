// SPDX-License-Identifier: GPL-2.0-or-later
#include "term.h"

#include <csignal>
#include <cwchar>
#include <unistd.h>

namespace vuurmuur::tui {

namespace {

bool g_colour = false;

extern "C" void restore_and_exit(int sig) {
    curs_set(1);
    endwin();  // the terminal comes back even when the process is told to stop
    ::_exit(128 + sig);
}

struct Decoded {
    wchar_t ch;
    int bytes;
    int width;
};

Decoded decode(std::string_view text, std::size_t at) {
    std::mbstate_t state{};
    wchar_t wc = 0;
    std::size_t n = std::mbrtowc(&wc, text.data() + at, text.size() - at, &state);
    if (n == static_cast<std::size_t>(-1) || n == static_cast<std::size_t>(-2) || n == 0) {
        return {L'?', 1, 1};
    }
    int w = ::wcwidth(wc);
    if (w < 0) return {L'?', static_cast<int>(n), 1};
    return {wc, static_cast<int>(n), w};
}

}  // namespace

Terminal::Terminal() {
    initscr();
    struct sigaction sa{};
    sa.sa_handler = restore_and_exit;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGTERM, SIGHUP, SIGINT}) sigaction(sig, &sa, nullptr);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    g_colour = has_colors() == TRUE && getenv("NO_COLOR") == nullptr;
    if (g_colour) {
        start_color();
        use_default_colors();
        init_pair(1, COLOR_WHITE, COLOR_BLUE);     // title, status
        init_pair(2, COLOR_BLACK, COLOR_CYAN);     // selected
        init_pair(3, COLOR_GREEN, -1);             // accept
        init_pair(4, COLOR_RED, -1);               // drop
        init_pair(5, COLOR_MAGENTA, -1);           // reject
        init_pair(6, COLOR_CYAN, -1);              // nat
        init_pair(7, COLOR_YELLOW, -1);            // log, separator
        init_pair(8, COLOR_WHITE, COLOR_RED);      // error
        init_pair(9, COLOR_BLACK, COLOR_WHITE);    // field
        init_pair(10, COLOR_WHITE, COLOR_MAGENTA); // focused field
    }
}

Terminal::~Terminal() {
    curs_set(1);
    endwin();
    struct sigaction sa{};
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGTERM, SIGHUP, SIGINT}) sigaction(sig, &sa, nullptr);
}

attr_t Terminal::attr(Style style) {
    if (!g_colour) {
        switch (style) {
            case Style::Title:
            case Style::Status:
            case Style::Selected:
            case Style::FieldFocus: return A_REVERSE;
            case Style::Separator:
            case Style::Error: return A_BOLD;
            case Style::Inactive: return A_DIM;
            case Style::Field: return A_UNDERLINE;
            case Style::Drop:
            case Style::Reject:
            case Style::Removed: return A_BOLD;
            default: return A_NORMAL;
        }
    }
    switch (style) {
        case Style::Title:
        case Style::Status: return COLOR_PAIR(1) | A_BOLD;
        case Style::Hints: return A_NORMAL;
        case Style::Selected: return COLOR_PAIR(2);
        case Style::Accept:
        case Style::Added: return COLOR_PAIR(3);
        case Style::Drop:
        case Style::Removed: return COLOR_PAIR(4);
        case Style::Reject: return COLOR_PAIR(5);
        case Style::Nat: return COLOR_PAIR(6);
        case Style::Log: return COLOR_PAIR(7);
        case Style::Separator: return COLOR_PAIR(7) | A_BOLD;
        case Style::Inactive: return A_DIM;
        case Style::Error: return COLOR_PAIR(8) | A_BOLD;
        case Style::Field: return COLOR_PAIR(9);
        case Style::FieldFocus: return COLOR_PAIR(10) | A_BOLD;
        case Style::Normal: break;
    }
    return A_NORMAL;
}

Popup::Popup(int height, int width) {
    height_ = std::max(3, std::min(height, LINES));
    width_ = std::max(10, std::min(width, COLS));
    win_ = newwin(height_, width_, std::max(0, (LINES - height_) / 2), std::max(0, (COLS - width_) / 2));
    if (win_ != nullptr) {
        keypad(win_, TRUE);
        panel_ = new_panel(win_);
    }
}

Popup::~Popup() {
    if (panel_ != nullptr) del_panel(panel_);
    if (win_ != nullptr) delwin(win_);
}

void Popup::frame(std::string_view title) const {
    if (win_ == nullptr) return;
    werase(win_);
    box(win_, 0, 0);
    if (!title.empty()) put(win_, 0, 2, " " + std::string(title) + " ", width_ - 4, A_BOLD, false);
}

void Popup::show() const {
    update_panels();
    doupdate();
}

int text_width(std::string_view text) {
    int width = 0;
    for (std::size_t at = 0; at < text.size();) {
        Decoded d = decode(text, at);
        at += static_cast<std::size_t>(d.bytes);
        width += d.width;
    }
    return width;
}

void put(WINDOW* win, int y, int x, std::string_view text, int width, attr_t attr, bool pad) {
    if (win == nullptr || width <= 0) return;
    wattr_set(win, attr, static_cast<short>(PAIR_NUMBER(attr)), nullptr);
    wmove(win, y, x);
    int used = 0;
    for (std::size_t at = 0; at < text.size();) {
        Decoded d = decode(text, at);
        at += static_cast<std::size_t>(d.bytes);
        if (d.ch < L' ' || d.ch == 0x7f) d = {L'?', d.bytes, 1};
        if (used + d.width > width) break;
        wchar_t s[2] = {d.ch, L'\0'};
        waddnwstr(win, s, 1);
        used += d.width;
    }
    if (pad) {
        for (; used < width; ++used) waddch(win, ' ');
    }
    wattr_set(win, A_NORMAL, 0, nullptr);
}

std::string fit(std::string_view text, int width) {
    std::string out;
    int used = 0;
    for (std::size_t at = 0; at < text.size();) {
        Decoded d = decode(text, at);
        if (used + d.width > width) break;
        out.append(text.substr(at, static_cast<std::size_t>(d.bytes)));
        at += static_cast<std::size_t>(d.bytes);
        used += d.width;
    }
    out.append(static_cast<std::size_t>(std::max(0, width - used)), ' ');
    return out;
}

}  // namespace vuurmuur::tui
