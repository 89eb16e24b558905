#include "core/utf8.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;

TEST_CASE("valid UTF-8 is recognised, including Kazakh and four-byte text", "[core][utf8]") {
    CHECK(valid_utf8(""));
    CHECK(valid_utf8("plain ASCII text, longer than eight bytes"));
    CHECK(valid_utf8("\xD2\x9B\xD0\xB0\xD2\x9B\xD0\xBF\xD0\xB0")); // қақпа
    CHECK(valid_utf8("\xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
}

TEST_CASE("invalid UTF-8 is found where it starts", "[core][utf8]") {
    CHECK(valid_utf8_prefix("abcdefghij\xFFxyz") == 10);
    CHECK_FALSE(valid_utf8("\x80"));             // a lone continuation byte
    CHECK_FALSE(valid_utf8("\xC0\xAF"));         // overlong '/'
    CHECK_FALSE(valid_utf8("\xE0\x80\xAF"));     // overlong
    CHECK_FALSE(valid_utf8("\xED\xA0\x80"));     // a surrogate
    CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80")); // past U+10FFFF
    CHECK_FALSE(valid_utf8("\xF5\x80\x80\x80"));
    CHECK_FALSE(valid_utf8("\xD2"));             // cut short at the end
    CHECK_FALSE(valid_utf8("\xE2\x82"));
    CHECK_FALSE(valid_utf8("ab\xE2\x82x"));
}

TEST_CASE("to_valid_utf8 replaces each bad byte and keeps the rest", "[core][utf8]") {
    CHECK(to_valid_utf8("ok") == "ok");
    CHECK(to_valid_utf8("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
    CHECK(to_valid_utf8("\xD2\x9B\xC0") == "\xD2\x9B\xEF\xBF\xBD");
    CHECK(valid_utf8(to_valid_utf8("\xED\xA0\x80\xF0\x9F")));
}
