// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title IdentityRegistry
/// @notice A minimal ERC-3643 (T-REX)-style identity registry for the Tokenwatch demo and tests:
/// wallets registered with an ONCHAINID (any address here) and an ISO 3166 numeric country.
/// Like T-REX, `registerIdentity` emits only IdentityRegistered (the country is stored, not
/// emitted); `updateCountry` emits CountryUpdated, `updateIdentity` IdentityUpdated (which
/// names the identities, not the wallet), `deleteIdentity` IdentityRemoved. The deployer is
/// the only agent.
contract IdentityRegistry {
    address public owner;
    mapping(address => address) public identity;
    mapping(address => uint16) public investorCountry;

    event IdentityRegistered(address indexed _investorAddress, address indexed _identity);
    event IdentityRemoved(address indexed _investorAddress, address indexed _identity);
    event IdentityUpdated(address indexed _oldIdentity, address indexed _newIdentity);
    event CountryUpdated(address indexed _investorAddress, uint16 indexed _country);

    modifier onlyOwner() {
        require(msg.sender == owner, "AgentRole: caller does not have the Agent role");
        _;
    }

    constructor() {
        owner = msg.sender;
    }

    function contains(address user) external view returns (bool) {
        return identity[user] != address(0);
    }

    function registerIdentity(address user, address id, uint16 country) external onlyOwner {
        require(id != address(0) && identity[user] == address(0), "identity already stored");
        identity[user] = id;
        investorCountry[user] = country;
        emit IdentityRegistered(user, id);
    }

    function updateCountry(address user, uint16 country) external onlyOwner {
        require(identity[user] != address(0), "no identity");
        investorCountry[user] = country;
        emit CountryUpdated(user, country);
    }

    function updateIdentity(address user, address id) external onlyOwner {
        address old = identity[user];
        require(old != address(0) && id != address(0), "no identity");
        identity[user] = id;
        emit IdentityUpdated(old, id);
    }

    function deleteIdentity(address user) external onlyOwner {
        address old = identity[user];
        require(old != address(0), "no identity");
        delete identity[user];
        delete investorCountry[user];
        emit IdentityRemoved(user, old);
    }
}
