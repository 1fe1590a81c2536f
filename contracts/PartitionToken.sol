// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title PartitionToken
/// @notice A minimal ERC-1400-style partitioned token for Tokenwatch tests: balances per
/// partition (bytes32), issued, transferred and redeemed with the ERC-1400 events. The deployer
/// issues; any holder transfers and redeems its own tokens. `transferByPartitionTo` moves tokens
/// into another partition of the receiver (TransferByPartition, then ChangedPartition).
contract PartitionToken {
    address public owner;
    mapping(bytes32 => mapping(address => uint256)) public balanceOfByPartition;

    event TransferByPartition(
        bytes32 indexed _fromPartition,
        address _operator,
        address indexed _from,
        address indexed _to,
        uint256 _value,
        bytes _data,
        bytes _operatorData
    );
    event ChangedPartition(bytes32 indexed _fromPartition, bytes32 indexed _toPartition, uint256 _value);
    event IssuedByPartition(
        bytes32 indexed _partition,
        address indexed _operator,
        address indexed _to,
        uint256 _value,
        bytes _data,
        bytes _operatorData
    );
    event RedeemedByPartition(
        bytes32 indexed _partition,
        address indexed _operator,
        address indexed _from,
        uint256 _value,
        bytes _operatorData
    );

    constructor() {
        owner = msg.sender;
    }

    function issueByPartition(bytes32 partition, address to, uint256 value, bytes calldata data) external {
        require(msg.sender == owner, "only the issuer");
        balanceOfByPartition[partition][to] += value;
        emit IssuedByPartition(partition, msg.sender, to, value, data, "");
    }

    function transferByPartition(bytes32 partition, address to, uint256 value, bytes calldata data)
        external
        returns (bytes32)
    {
        _move(partition, partition, msg.sender, to, value, data);
        return partition;
    }

    function transferByPartitionTo(bytes32 partition, bytes32 toPartition, address to, uint256 value) external {
        _move(partition, toPartition, msg.sender, to, value, "");
    }

    function redeemByPartition(bytes32 partition, uint256 value, bytes calldata data) external {
        require(balanceOfByPartition[partition][msg.sender] >= value, "insufficient balance");
        balanceOfByPartition[partition][msg.sender] -= value;
        emit RedeemedByPartition(partition, msg.sender, msg.sender, value, data);
    }

    function _move(bytes32 partition, bytes32 toPartition, address from, address to, uint256 value, bytes memory data)
        internal
    {
        require(balanceOfByPartition[partition][from] >= value, "insufficient balance");
        balanceOfByPartition[partition][from] -= value;
        balanceOfByPartition[toPartition][to] += value;
        emit TransferByPartition(partition, from, from, to, value, data, "");
        if (toPartition != partition) {
            emit ChangedPartition(partition, toPartition, value);
        }
    }
}
