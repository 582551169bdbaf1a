// number(range): whole-number options checked while the command line is parsed (cli.hpp).
#include <charconv>
#include <string>

#include "tools/cli.hpp"

namespace auditorium::tools {
namespace {

// Thrown while parsing; boost::program_options adds the option's name as it passes through
// po::store, and parse_options prints it.
class out_of_range_value : public po::error_with_option_name {
public:
    out_of_range_value(const std::string& text, NumberRange range)
        : po::error_with_option_name(
              "the argument ('%value%') for option '%canonical_option%' is invalid: "
              "expected a whole number from " +
              std::to_string(range.min) + " to " + std::to_string(range.max)) {
        set_substitute("value", text);
    }
};

class NumberValue final : public po::typed_value<std::uint64_t> {
public:
    explicit NumberValue(NumberRange range)
        : po::typed_value<std::uint64_t>(nullptr), range_(range) {}

    // Replaces boost's lexical_cast, which accepts a sign and wraps negative numbers.
    void xparse(boost::any& store, const std::vector<std::string>& tokens) const override {
        po::validators::check_first_occurrence(store);
        const std::string& text = po::validators::get_single_string(tokens);
        std::uint64_t n = 0;
        const char* end = text.data() + text.size();
        // from_chars takes no sign, space or prefix for an unsigned type, and says when it
        // overflows.
        const auto [stop, error] = std::from_chars(text.data(), end, n);
        if (text.empty() || error != std::errc() || stop != end || n < range_.min ||
            n > range_.max) {
            throw out_of_range_value(text, range_);
        }
        store = n;
    }

private:
    const NumberRange range_;
};

}  // namespace

po::typed_value<std::uint64_t>* number(NumberRange range) { return new NumberValue(range); }

}  // namespace auditorium::tools
