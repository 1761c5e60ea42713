// Shared pieces of the store/ unit tests: a throw-away directory per test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "store/database.hpp"

namespace signerd::store::test {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "signerd-store-XXXXXX").string();
    dir_ = ::mkdtemp(templ.data());
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return dir_; }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

}  // namespace signerd::store::test

// Opens the store at `path` into `var` (a Database&), failing the test on error.
#define SIGNERD_ASSERT_OPEN(var, path)                           \
  auto var##_result = ::signerd::store::Database::open(path);    \
  ASSERT_TRUE(var##_result) << var##_result.error().to_string(); \
  ::signerd::store::Database& var = *var##_result
