// LineStamper: lines cut at '\n' (kept, CRLF untouched), stamped by their first byte's arrival,
// partial lines held until newline or flush, long lines split at the piece limit.
#include "engine/events/lines.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace baton::events {
namespace {

struct Got {
  long long at;  // fake clock reading
  std::string line;
  bool operator==(const Got&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  return os << "{" << g.at << ", \"" << g.line << "\"}";
}

// A stamper whose clock reads 1, 2, 3, ... seconds: one tick per feed() with bytes.
class LineStamperTest : public ::testing::Test {
 protected:
  explicit LineStamperTest(std::size_t max_line = LineStamper::kMaxLine)
      : stamper_(max_line, [this] { return Clock::time_point(std::chrono::seconds(++tick_)); }) {}

  void feed(std::string_view bytes) { stamper_.feed(bytes, collect()); }
  void flush() { stamper_.flush(collect()); }
  LineFn collect() {
    return [this](Clock::time_point t, std::string_view line) {
      got_.push_back(
          {std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(),
           std::string(line)});
    };
  }

  long long tick_ = 0;
  LineStamper stamper_;
  std::vector<Got> got_;
};

TEST_F(LineStamperTest, CompleteLinesGoOutAtOnceWithTheirNewline) {
  feed("one\ntwo\n");
  EXPECT_EQ(got_, (std::vector<Got>{{1, "one\n"}, {1, "two\n"}}));
  EXPECT_EQ(stamper_.held_bytes(), 0U);
}

TEST_F(LineStamperTest, PartialLineHeldAndStampedByFirstByte) {
  feed("par");
  feed("tial");
  EXPECT_TRUE(got_.empty());
  EXPECT_EQ(stamper_.held_bytes(), 7U);
  feed(" end\nnext");
  EXPECT_EQ(got_, (std::vector<Got>{{1, "partial end\n"}}));
  feed("\n");
  EXPECT_EQ(got_.back(), (Got{3, "next\n"}));  // "next" arrived with the third feed
}

TEST_F(LineStamperTest, CrLfAndEmptyLinesKeptExactly) {
  feed("a\r\n\r\n\nb\r");
  feed("\nc");
  flush();
  EXPECT_EQ(got_, (std::vector<Got>{{1, "a\r\n"}, {1, "\r\n"}, {1, "\n"}, {1, "b\r\n"}, {2, "c"}}));
}

TEST_F(LineStamperTest, FlushEmitsUnterminatedTailOnce) {
  feed("no newline");
  flush();
  flush();
  EXPECT_EQ(got_, (std::vector<Got>{{1, "no newline"}}));
  feed("");  // empty feeds neither emit nor read the clock
  EXPECT_EQ(tick_, 1);
}

TEST_F(LineStamperTest, BinaryBytesPassThrough) {
  using namespace std::string_literals;
  feed("\0\xff\n\0"s);
  flush();
  EXPECT_EQ(got_, (std::vector<Got>{{1, "\0\xff\n"s}, {1, "\0"s}}));
}

class SmallPieceTest : public LineStamperTest {
 protected:
  SmallPieceTest() : LineStamperTest(4) {}
};

TEST_F(SmallPieceTest, LongLineSplitIntoPiecesOfTheLimit) {
  feed("abcdefghij\nxy");
  feed("zw");
  feed("v\n");
  EXPECT_EQ(got_,
            (std::vector<Got>{{1, "abcd"}, {1, "efgh"}, {1, "ij\n"}, {1, "xyzw"}, {3, "v\n"}}));
}

TEST(LineStamper, SixtyFourKiBLimitByDefault) {
  LineStamper stamper;
  std::vector<std::size_t> sizes;
  std::string all;
  auto collect = [&](Clock::time_point, std::string_view line) {
    sizes.push_back(line.size());
    all += line;
  };
  const std::string line = std::string(150 * 1024, 'x') + "\n";
  for (std::size_t at = 0; at < line.size(); at += 1000)
    stamper.feed(line.substr(at, 1000), collect);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{65536, 65536, 22529}));
  EXPECT_EQ(all, line);
}

}  // namespace
}  // namespace baton::events
