// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title EventZoo
/// @notice Emits events that exercise an ABI event decoder.
///
/// Every event has its own `emitX(...)` function taking the values to emit, and
/// `emitAll()` emits one of each with the fixed values listed below, in this order:
///
///  1. StructEvent(Point p)                      p = (7, -7, 0x...0A11, "zoo")
///  2. ArrayEvent(uint256[] values, address[2] pair, Point[] points)
///                                               values = [1, 2, 3], pair = [0x...0A11, 0x...0B0B],
///                                               points = [(1, -1, 0x...0A11, "a"), (2, -2, 0x...0B0B, "b")]
///  3. BytesString(bytes data, string text)      data = 0xdeadbeef, text = "hello, zoo"
///  4. Ints(int8 small, int256 big, uint8 u8, uint24 u24)
///                                               small = -128, big = -1e30, u8 = 255, u24 = 16777215
///  5. FixedBytes(bytes4 selector, bytes32 hash, bool flag)
///                                               selector = 0xa9059cbb, hash = keccak256("zoo"), flag = true
///  6. IndexedDynamic(string indexed name, bytes indexed blob, Point indexed point, uint256 plain)
///                                               name = "zoo", blob = 0xdeadbeef, point = (7, -7, 0x...0A11, "zoo"),
///                                               plain = 42; the three indexed values arrive as keccak256 hashes:
///                                               of the string's bytes, of the bytes, and of the struct's in-place
///                                               encoding (members padded to 32 bytes and concatenated, no offsets
///                                               or lengths: x . y . who . "zoo" right-padded)
///  7. Anon(address indexed who, uint256 value) anonymous
///                                               who = 0x...0A11, value = 99 (no topic0: topics = [who])
///  8. Ping(uint256 n)                           n = 1
///  9. Ping(address from, string note)           from = 0x...0A11, note = "pong"
/// 10. Transfer(address indexed from, address indexed to, uint256 indexed tokenId)
///                                               ERC-721 shape: from = 0x0, to = 0x...0A11, tokenId = 1
/// 11. Nested(Outer o)                           o = (5, [(1, -1, 0x...0A11, "a")], 0xbeef)
///
/// Not in `emitAll` (each has its own emitter only): Filled(Order order, uint256[] fills) and
/// Batched(Batch[] batches, Order indexed order), tuples for human-readable signatures.
///
/// 0x...0A11 = address(0xA11), 0x...0B0B = address(0xB0B).
contract EventZoo {
    struct Point {
        uint256 x;
        int256 y;
        address who;
        string label;
    }

    struct Outer {
        uint64 id;
        Point[] points;
        bytes extra;
    }

    struct Order {
        address maker;
        uint256 amount;
        bytes32 id;
    }

    struct Leg {
        address to;
        bool done;
    }

    struct Batch {
        uint256 n;
        Leg[2] legs;
    }

    event StructEvent(Point p);
    event ArrayEvent(uint256[] values, address[2] pair, Point[] points);
    event BytesString(bytes data, string text);
    event Ints(int8 small, int256 big, uint8 u8, uint24 u24);
    event FixedBytes(bytes4 selector, bytes32 hash, bool flag);
    event IndexedDynamic(string indexed name, bytes indexed blob, Point indexed point, uint256 plain);
    event Anon(address indexed who, uint256 value) anonymous;
    event Ping(uint256 n);
    event Ping(address from, string note);
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Nested(Outer o);
    event Filled(Order order, uint256[] fills);
    event Batched(Batch[] batches, Order indexed order);

    address internal constant A11 = address(0xA11);
    address internal constant B0B = address(0xB0B);

    function emitStruct(Point calldata p) public {
        emit StructEvent(p);
    }

    function emitArrays(uint256[] calldata values, address[2] calldata pair, Point[] calldata points) public {
        emit ArrayEvent(values, pair, points);
    }

    function emitBytesString(bytes calldata data, string calldata text) public {
        emit BytesString(data, text);
    }

    function emitInts(int8 small, int256 big, uint8 u8, uint24 u24) public {
        emit Ints(small, big, u8, u24);
    }

    function emitFixedBytes(bytes4 selector, bytes32 hash, bool flag) public {
        emit FixedBytes(selector, hash, flag);
    }

    function emitIndexedDynamic(string calldata name, bytes calldata blob, Point calldata point, uint256 plain)
        public
    {
        emit IndexedDynamic(name, blob, point, plain);
    }

    function emitAnon(address who, uint256 value) public {
        emit Anon(who, value);
    }

    function emitPing(uint256 n) public {
        emit Ping(n);
    }

    function emitPingNote(address from, string calldata note) public {
        emit Ping(from, note);
    }

    function emitTransfer721(address from, address to, uint256 tokenId) public {
        emit Transfer(from, to, tokenId);
    }

    function emitNested(Outer calldata o) public {
        emit Nested(o);
    }

    function emitFilled(Order calldata order, uint256[] calldata fills) public {
        emit Filled(order, fills);
    }

    function emitBatched(Batch[] calldata batches, Order calldata order) public {
        emit Batched(batches, order);
    }

    function emitAll() external {
        Point memory p = Point(7, -7, A11, "zoo");
        emit StructEvent(p);

        uint256[] memory values = new uint256[](3);
        values[0] = 1;
        values[1] = 2;
        values[2] = 3;
        address[2] memory pair = [A11, B0B];
        Point[] memory points = new Point[](2);
        points[0] = Point(1, -1, A11, "a");
        points[1] = Point(2, -2, B0B, "b");
        emit ArrayEvent(values, pair, points);

        emit BytesString(hex"deadbeef", "hello, zoo");
        emit Ints(-128, -1e30, 255, 16777215);
        emit FixedBytes(0xa9059cbb, keccak256("zoo"), true);
        emit IndexedDynamic("zoo", hex"deadbeef", p, 42);
        emit Anon(A11, 99);
        emit Ping(1);
        emit Ping(A11, "pong");
        emit Transfer(address(0), A11, 1);

        Point[] memory one = new Point[](1);
        one[0] = points[0];
        emit Nested(Outer(5, one, hex"beef"));
    }
}
