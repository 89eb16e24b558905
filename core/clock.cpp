#include "core/clock.hpp"

#include <charconv>

#include <fmt/format.h>

namespace qaqpa {
namespace {

using namespace std::chrono;

bool read_digits(std::string_view& s, std::size_t n, int& out) {
    if (s.size() < n) return false;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    s.remove_prefix(n);
    return true;
}

bool expect(std::string_view& s, char c) {
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

} // namespace

std::string format_datetime(system_time t) {
    const auto ms = time_point_cast<milliseconds>(t);
    const auto day = floor<days>(ms);
    const year_month_day ymd{day};
    const hh_mm_ss hms{ms - day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) // not a date any message carries; the general path
        return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year, static_cast<unsigned>(ymd.month()),
                           static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count(),
                           hms.seconds().count(), hms.subseconds().count());
    // Every answer carries a date or two: digits by hand, one allocation.
    std::string out = "0000-00-00T00:00:00.000Z";
    const auto put = [&out](std::size_t at, long long value, int width) {
        for (int i = width - 1; i >= 0; --i, value /= 10) out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    };
    put(0, year, 4);
    put(5, static_cast<unsigned>(ymd.month()), 2);
    put(8, static_cast<unsigned>(ymd.day()), 2);
    put(11, hms.hours().count(), 2);
    put(14, hms.minutes().count(), 2);
    put(17, hms.seconds().count(), 2);
    put(20, hms.subseconds().count(), 3);
    return out;
}

std::optional<system_time> parse_datetime(std::string_view text) {
    std::string_view s = trim(text);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!read_digits(s, 4, y) || !expect(s, '-') || !read_digits(s, 2, mo) || !expect(s, '-') ||
        !read_digits(s, 2, d) || !expect(s, 'T') || !read_digits(s, 2, h) || !expect(s, ':') ||
        !read_digits(s, 2, mi) || !expect(s, ':') || !read_digits(s, 2, sec))
        return std::nullopt;
    long long frac_ns = 0;
    if (!s.empty() && s.front() == '.') {
        s.remove_prefix(1);
        std::size_t n = 0;
        long long scale = 100'000'000;
        while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
            frac_ns += (s[n] - '0') * scale;
            scale /= 10;
            ++n;
        }
        if (n == 0) return std::nullopt;
        s.remove_prefix(n);
    }
    minutes offset{0};
    if (!s.empty() && s.front() == 'Z') {
        s.remove_prefix(1);
    } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
        const int sign = s.front() == '-' ? -1 : 1;
        s.remove_prefix(1);
        int oh = 0, om = 0;
        if (!read_digits(s, 2, oh) || !expect(s, ':') || !read_digits(s, 2, om) || oh > 14 || om > 59)
            return std::nullopt;
        offset = minutes(sign * (oh * 60 + om));
    }
    if (!s.empty()) return std::nullopt;
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi || sec || frac_ns)))
        return std::nullopt;
    // system_clock counts nanoseconds: about 1678 to 2262 is representable.
    if (y < min_year || y > max_year) return std::nullopt;
    const auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + nanoseconds{frac_ns} - offset;
    return time_point_cast<system_clock::duration>(tp);
}

std::optional<std::int64_t> parse_instant_ms(std::string_view text) {
    std::int64_t ms = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec == std::errc() && end == text.data() + text.size() && ms >= 0) return ms;
    const auto t = parse_datetime(text);
    if (!t) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

} // namespace qaqpa
