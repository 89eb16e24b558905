#include "transports/rest/detail/json_source.hpp"

#include "core/json_text.hpp"

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <deque>

namespace qaqpa::rest::detail {
namespace {

/// Walks the text once; keys are views into it (decoded aside only when they
/// hold escapes), and a path is spelled out only for a repeated key.
class walker {
public:
    walker(std::string_view text, std::span<const std::string_view> path, source_facts& out)
        : s_(text), path_(path), out_(out) {}

    /// The value at the cursor. `matched`: how many keys of the path lead
    /// here (-1: off the path).
    void value(int matched) {
        space();
        const auto start = i_;
        if (!path_.empty() && matched == static_cast<int>(path_.size())) {
            skip();
            out_.value_at_path = s_.substr(start, i_ - start);
            return;
        }
        if (s_[i_] == '{') object(matched);
        else if (s_[i_] == '[') array();
        else skip();
    }

private:
    struct step {
        std::string_view key;
        std::size_t index = 0;
        bool element = false; ///< an array's element (index), not an object's member (key)
    };

    void space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }

    std::string_view string_token() {
        const auto start = i_++;
        for (;;) { // memchr to the next quote; one after an odd run of backslashes is escaped
            i_ = s_.find('"', i_);
            std::size_t backslashes = 0;
            while (s_[i_ - 1 - backslashes] == '\\') ++backslashes;
            if (backslashes % 2 == 0) break;
            ++i_;
        }
        ++i_;
        return s_.substr(start, i_ - start);
    }

    std::string_view key_of(std::string_view token) {
        if (token.find('\\') == std::string_view::npos) return token.substr(1, token.size() - 2);
        return decoded_.emplace_back(json_string_contents(token).value_or(std::string(token)));
    }

    std::string spelled(std::string_view last) const {
        std::string out;
        for (const auto& s : where_) out.append(s.element ? std::to_string(s.index) : std::string(s.key)).push_back('/');
        return out.append(last);
    }

    void object(int matched) {
        ++i_; // {
        boost::container::small_vector<std::string_view, 16> keys;
        for (;;) {
            space();
            if (s_[i_] == '}') break;
            const auto key = key_of(string_token());
            if (out_.repeated_key.empty() && std::find(keys.begin(), keys.end(), key) != keys.end())
                out_.repeated_key = spelled(key);
            keys.push_back(key);
            space();
            ++i_; // :
            const bool on_path = matched >= 0 && matched < static_cast<int>(path_.size()) && path_[matched] == key;
            where_.push_back({key, 0});
            value(on_path ? matched + 1 : -1);
            where_.pop_back();
            space();
            if (s_[i_] == ',') ++i_;
        }
        ++i_; // }
    }

    void array() {
        ++i_; // [
        for (std::size_t n = 0;; ++n) {
            space();
            if (s_[i_] == ']') break;
            where_.push_back({{}, n, true});
            value(-1);
            where_.pop_back();
            space();
            if (s_[i_] == ',') ++i_;
        }
        ++i_; // ]
    }

    /// Past one value without looking into it.
    void skip() {
        const char c = s_[i_];
        if (c == '"') {
            string_token();
            return;
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            do {
                const char d = s_[i_];
                if (d == '"') {
                    string_token();
                    continue;
                }
                if (d == '{' || d == '[') ++depth;
                else if (d == '}' || d == ']') --depth;
                ++i_;
            } while (depth > 0);
            return;
        }
        while (i_ < s_.size() && !ends_scalar()) ++i_; // a number or a literal
    }

    bool ends_scalar() const {
        const char c = s_[i_];
        return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    std::string_view s_;
    std::span<const std::string_view> path_;
    source_facts& out_;
    std::size_t i_ = 0;
    boost::container::small_vector<step, 16> where_;
    std::deque<std::string> decoded_; ///< keys that held escapes (stable addresses)
};

} // namespace

source_facts scan_source(std::string_view text, std::span<const std::string_view> path) {
    source_facts out;
    walker(text, path, out).value(0);
    return out;
}

} // namespace qaqpa::rest::detail
