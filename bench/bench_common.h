// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Shared by the benchmark programs: timing, statistics, peak RSS and the output format.
//
// Output format (parsed by bench/run; keep it stable, add keys rather than rename them):
//   one line per record, "<kind> <name> key=value key=value ...", for example
//     stage load min_ms=1.234 median_ms=1.300 max_ms=1.500 runs=3
//     count objects total=120 zones=5 ...
//     memory peak_rss_mb=12.3
// Later stages (compile, render, apply) add "stage compile ..." lines and counters such as
// "count emitted rules=..." without changing the existing ones.

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vuurmuur::bench {

/// Wall time of one call, in milliseconds (steady_clock).
template <typename F>
double time_ms(F&& f) {
    auto start = std::chrono::steady_clock::now();
    std::forward<F>(f)();
    auto end = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::milli>(end - start).count();
}

/// CPU time of this process so far (user + system), in milliseconds. Next to the wall time it
/// shows how much of a stage's time went to waiting for a shared CPU.
inline double process_cpu_ms() {
    struct timespec ts {};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

/// Repeated measurements of one stage.
class Samples {
public:
    void add(double ms) { values_.push_back(ms); }
    bool empty() const { return values_.empty(); }
    std::size_t size() const { return values_.size(); }
    double min() const { return *std::min_element(values_.begin(), values_.end()); }
    double max() const { return *std::max_element(values_.begin(), values_.end()); }
    /// The middle value (the lower one of the two middle values for an even count).
    double median() const {
        std::vector<double> v = values_;
        std::sort(v.begin(), v.end());
        return v[(v.size() - 1) / 2];
    }

private:
    std::vector<double> values_;
};

/// Peak resident set size of this process so far, in MiB (getrusage ru_maxrss is in KiB on
/// Linux).
inline double peak_rss_mb() {
    struct rusage usage {};
    if (::getrusage(RUSAGE_SELF, &usage) != 0) return -1.0;
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

inline std::string fixed(double v, int decimals = 3) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

/// Builds one "<kind> <name> key=value ..." line.
class Line {
public:
    Line(std::string_view kind, std::string_view name) {
        text_ += kind;
        text_ += ' ';
        text_ += name;
    }
    Line& add(std::string_view key, const std::string& value) {
        text_ += ' ';
        text_ += key;
        text_ += '=';
        text_ += value;
        return *this;
    }
    Line& add(std::string_view key, std::size_t value) { return add(key, std::to_string(value)); }
    Line& add(std::string_view key, double value) { return add(key, fixed(value)); }
    const std::string& str() const { return text_; }

private:
    std::string text_;
};

inline Line stage_line(std::string_view name, const Samples& s) {
    Line line("stage", name);
    line.add("min_ms", s.min()).add("median_ms", s.median()).add("max_ms", s.max()).add("runs", s.size());
    return line;
}

}  // namespace vuurmuur::bench
