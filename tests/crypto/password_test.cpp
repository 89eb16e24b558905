#include "crypto/password.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa::crypto;

TEST_CASE("scrypt matches the RFC 7914 known answer", "[unit][crypto]") {
    // scrypt(P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64), RFC 7914 section 12.
    const std::string stored =
        "scrypt$1024$8$16$TmFDbA==$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/xCSedmDDaxyevuUqD7m2DYMvfoswGQA==";
    CHECK(verify_password("password", stored));
    CHECK_FALSE(verify_password("Password", stored));
}

TEST_CASE("a hashed password verifies; others do not; salts differ", "[unit][crypto]") {
    const scrypt_params fast{1 << 10, 8, 1};
    const auto a = hash_password("s3cret-пароль", fast);
    const auto b = hash_password("s3cret-пароль", fast);
    CHECK(a.rfind("scrypt$1024$8$1$", 0) == 0);
    CHECK(a != b);
    CHECK(is_password_hash(a));
    CHECK(verify_password("s3cret-пароль", a));
    CHECK(verify_password("s3cret-пароль", b));
    CHECK_FALSE(verify_password("s3cret", a));
    CHECK_FALSE(verify_password("", a));
}

TEST_CASE("malformed or absurd hashes never verify", "[unit][crypto]") {
    for (const char* bad : {"", "plain", "scrypt$1024$8$1$", "scrypt$1000$8$1$TmFDbA==$AAAAAAAAAAAAAAAAAAAAAA==",
                            "scrypt$4194304$8$1$TmFDbA==$AAAAAAAAAAAAAAAAAAAAAA==", "bcrypt$1024$8$1$a$b",
                            "scrypt$1024$8$1$!!!!$AAAAAAAAAAAAAAAAAAAAAA=="}) {
        CHECK_FALSE(is_password_hash(bad));
        CHECK_FALSE(verify_password("x", bad));
    }
}
