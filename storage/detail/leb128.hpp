#pragma once
// The store's record primitives (private to storage/): a record starts with
// its format version byte; strings are length-prefixed (LEB128), integers are
// LEB128 (signed ones zig-zagged). Reading checks every length against the
// bytes left, so a damaged record reads as not ok(), never as a crash.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::storage::detail {

/// Signed to unsigned with small magnitudes small (0, -1, 1, -2 → 0, 1, 2, 3).
inline std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t unzigzag(std::uint64_t z) { return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1)); }

class leb128_writer {
public:
    leb128_writer(std::uint8_t version, std::size_t reserve) {
        out_.reserve(reserve);
        out_.push_back(static_cast<char>(version));
    }

    void u(std::uint64_t v) {
        while (v >= 0x80) {
            out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
            v >>= 7;
        }
        out_.push_back(static_cast<char>(v));
    }
    void i(std::int64_t v) { u(zigzag(v)); }
    void s(std::string_view v) {
        u(v.size());
        out_.append(v);
    }
    void opt(const std::optional<std::string>& v) {
        u(v ? 1 : 0);
        if (v) s(*v);
    }
    /// Bytes of a known length (a digest), with no length before them.
    void raw(std::string_view v) { out_.append(v); }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class leb128_reader {
public:
    leb128_reader(std::string_view in, std::uint8_t version) : in_(in) {
        if (in_.empty() || static_cast<std::uint8_t>(in_[0]) != version) ok_ = false;
        else in_.remove_prefix(1);
    }

    std::uint64_t u() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (in_.empty()) break;
            const auto b = static_cast<std::uint8_t>(in_.front());
            in_.remove_prefix(1);
            v |= std::uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        ok_ = false;
        return 0;
    }
    std::int64_t i() { return unzigzag(u()); }
    std::string s() { return std::string(view(u())); }
    std::optional<std::string> opt() {
        if (u() == 0) return std::nullopt;
        return s();
    }
    /// The next `n` bytes (a length read before, or a digest's fixed size).
    std::string_view view(std::uint64_t n) {
        if (!ok_ || n > in_.size()) {
            ok_ = false;
            return {};
        }
        const auto v = in_.substr(0, n);
        in_.remove_prefix(n);
        return v;
    }
    bool ok() const { return ok_ && in_.empty(); }
    /// Bytes left: a field added later at the end (absent in older records).
    bool more() const { return ok_ && !in_.empty(); }

private:
    std::string_view in_;
    bool ok_ = true;
};

} // namespace qaqpa::storage::detail
