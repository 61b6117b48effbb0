// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <curses.h>
#include <panel.h>

#include <string>
#include <string_view>

/// The thin ncurses wrapper of vuurmuur-tui: the terminal session (RAII: endwin on every exit
/// path), pop-up windows (RAII: window + panel), styles that work in colour and monochrome,
/// and UTF-8 aware text output clipped to a number of columns.
namespace vuurmuur::tui {

enum class Style {
    Normal, Title, Hints, Status, Selected, Accept, Drop, Reject, Nat, Log, Separator, Inactive,
    Error, Field, FieldFocus, Added, Removed,
};

/// The terminal session: initscr() on construction, endwin() on destruction. Also installs
/// handlers for SIGTERM, SIGHUP and SIGINT that restore the terminal before the process ends.
class Terminal {
public:
    Terminal();
    ~Terminal();
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    /// The attributes of a style: colour pairs when the terminal has colours, else
    /// bold / reverse / dim / underline.
    static attr_t attr(Style style);
};

/// A pop-up window on its own panel, centred, clipped to the screen. Owned: deleted with the
/// object.
class Popup {
public:
    Popup(int height, int width);
    ~Popup();
    Popup(const Popup&) = delete;
    Popup& operator=(const Popup&) = delete;

    WINDOW* win() const { return win_; }
    int height() const { return height_; }
    int width() const { return width_; }
    /// Box, title in the top border.
    void frame(std::string_view title) const;
    /// update_panels() + doupdate().
    void show() const;

private:
    WINDOW* win_ = nullptr;
    PANEL* panel_ = nullptr;
    int height_ = 0;
    int width_ = 0;
};

/// Display width of UTF-8 text in columns (invalid bytes count as one column each).
int text_width(std::string_view text);
/// Writes `text` at (y, x), clipped to `width` columns and padded with spaces to it when
/// `pad`. UTF-8 is decoded; control characters are shown as '?'.
void put(WINDOW* win, int y, int x, std::string_view text, int width, attr_t attr, bool pad = true);
/// `text` clipped or padded to exactly `width` columns (for building table rows).
std::string fit(std::string_view text, int width);

}  // namespace vuurmuur::tui
