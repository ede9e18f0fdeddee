// The one translation unit that compiles Boost.Beast out of line; users see
// BOOST_BEAST_SEPARATE_COMPILATION through hm_api's compile definitions.
#include <boost/beast/src.hpp>
