// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title TestERC721
/// @notice Minimal ERC-721 for Tokenwatch tests (no receiver hooks, no metadata).
/// `mint` and `setNameAndSymbol` are open to anyone: test use only.
/// The constructor takes no arguments; name/symbol default to "Test NFT"/"TNFT".
contract TestERC721 {
    string public name = "Test NFT";
    string public symbol = "TNFT";

    mapping(uint256 => address) public ownerOf;
    mapping(address => uint256) public balanceOf;
    mapping(uint256 => address) public getApproved;
    mapping(address => mapping(address => bool)) public isApprovedForAll;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    function setNameAndSymbol(string calldata name_, string calldata symbol_) external {
        name = name_;
        symbol = symbol_;
    }

    function mint(address to, uint256 id) external {
        require(to != address(0), "ERC721: mint to zero");
        require(ownerOf[id] == address(0), "ERC721: already minted");
        ownerOf[id] = to;
        balanceOf[to] += 1;
        emit Transfer(address(0), to, id);
    }

    function transferFrom(address from, address to, uint256 id) public {
        address owner = ownerOf[id];
        require(owner == from, "ERC721: wrong from");
        require(to != address(0), "ERC721: transfer to zero");
        require(
            msg.sender == owner || msg.sender == getApproved[id] || isApprovedForAll[owner][msg.sender],
            "ERC721: not authorized"
        );
        balanceOf[from] -= 1;
        balanceOf[to] += 1;
        ownerOf[id] = to;
        delete getApproved[id];
        emit Transfer(from, to, id);
    }

    function safeTransferFrom(address from, address to, uint256 id) external {
        transferFrom(from, to, id);
    }

    function approve(address spender, uint256 id) external {
        address owner = ownerOf[id];
        require(msg.sender == owner || isApprovedForAll[owner][msg.sender], "ERC721: not authorized");
        getApproved[id] = spender;
        emit Approval(owner, spender, id);
    }

    function setApprovalForAll(address operator, bool approved) external {
        isApprovedForAll[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }
}
