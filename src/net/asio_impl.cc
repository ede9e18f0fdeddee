// The one translation unit that compiles Boost.Asio (and its SSL part) out of line; every user
// sees BOOST_ASIO_SEPARATE_COMPILATION through hm_net's compile definitions.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
