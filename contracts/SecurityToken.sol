// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title SecurityToken
/// @notice A minimal ERC-3643 (T-REX)-style permissioned token for the Tokenwatch demo and tests.
/// It has the ERC-3643 agent actions and events, and points at an identity registry
/// (`setIdentityRegistry`, IdentityRegistryAdded) without checking it; no compliance module:
///  - the deployer is the owner and the first agent; the owner adds/removes agents
///  - agents: mint, burn, forcedTransfer, setAddressFrozen, freezePartialTokens,
///    unfreezePartialTokens, recoveryAddress, pause, unpause
///  - `transfer`/`transferFrom` revert while paused, if either side is frozen, or if the
///    amount exceeds the sender's unfrozen balance
///  - `forcedTransfer` ignores pause and address freezes, and unfreezes partially frozen
///    tokens when needed (emitting TokensUnfrozen), like T-REX
///  - `recoveryAddress` moves the whole balance (Transfer event), moves frozen tokens and the
///    address freeze to the new wallet, and emits RecoverySuccess
contract SecurityToken {
    string public name;
    string public symbol;
    uint8 public decimals;
    string public constant version = "4.1.3";
    address public onchainID;
    uint256 public totalSupply;
    address public owner;
    bool public paused;
    address public identityRegistry;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public isAgent;
    mapping(address => bool) public isFrozen;
    mapping(address => uint256) public getFrozenTokens;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event UpdatedTokenInformation(
        string indexed _newName,
        string indexed _newSymbol,
        uint8 _newDecimals,
        string _newVersion,
        address indexed _newOnchainID
    );
    event AddressFrozen(address indexed _userAddress, bool indexed _isFrozen, address indexed _owner);
    event TokensFrozen(address indexed _userAddress, uint256 _amount);
    event TokensUnfrozen(address indexed _userAddress, uint256 _amount);
    event RecoverySuccess(address indexed _lostWallet, address indexed _newWallet, address indexed _investorOnchainID);
    event Paused(address _userAddress);
    event Unpaused(address _userAddress);
    event AgentAdded(address indexed _agent);
    event AgentRemoved(address indexed _agent);
    event IdentityRegistryAdded(address indexed _identityRegistry);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    modifier onlyOwner() {
        require(msg.sender == owner, "Ownable: caller is not the owner");
        _;
    }

    modifier onlyAgent() {
        require(isAgent[msg.sender], "AgentRole: caller does not have the Agent role");
        _;
    }

    modifier whenNotPaused() {
        require(!paused, "Pausable: paused");
        _;
    }

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        emit UpdatedTokenInformation(name_, symbol_, decimals_, version, address(0));
        isAgent[msg.sender] = true;
        emit AgentAdded(msg.sender);
    }

    // ----- roles -----

    function addAgent(address agent) external onlyOwner {
        require(!isAgent[agent], "AgentRole: already agent");
        isAgent[agent] = true;
        emit AgentAdded(agent);
    }

    function removeAgent(address agent) external onlyOwner {
        require(isAgent[agent], "AgentRole: not an agent");
        isAgent[agent] = false;
        emit AgentRemoved(agent);
    }

    function setIdentityRegistry(address registry) external onlyOwner {
        identityRegistry = registry;
        emit IdentityRegistryAdded(registry);
    }

    // ----- ERC-20 -----

    function transfer(address to, uint256 amount) external whenNotPaused returns (bool) {
        _checkedTransfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external whenNotPaused returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "ERC20: insufficient allowance");
            allowance[from][msg.sender] = allowed - amount;
        }
        _checkedTransfer(from, to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    // ----- agent actions -----

    function mint(address to, uint256 amount) external onlyAgent {
        require(to != address(0), "ERC20: mint to the zero address");
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function burn(address from, uint256 amount) external onlyAgent {
        require(balanceOf[from] >= amount, "cannot burn more than balance");
        uint256 free = balanceOf[from] - getFrozenTokens[from];
        if (amount > free) {
            _unfreeze(from, amount - free);
        }
        balanceOf[from] -= amount;
        totalSupply -= amount;
        emit Transfer(from, address(0), amount);
    }

    function forcedTransfer(address from, address to, uint256 amount) external onlyAgent returns (bool) {
        require(balanceOf[from] >= amount, "sender balance too low");
        uint256 free = balanceOf[from] - getFrozenTokens[from];
        if (amount > free) {
            _unfreeze(from, amount - free);
        }
        _move(from, to, amount);
        return true;
    }

    function setAddressFrozen(address user, bool freeze) external onlyAgent {
        isFrozen[user] = freeze;
        emit AddressFrozen(user, freeze, msg.sender);
    }

    function freezePartialTokens(address user, uint256 amount) external onlyAgent {
        require(balanceOf[user] >= getFrozenTokens[user] + amount, "Amount exceeds available balance");
        getFrozenTokens[user] += amount;
        emit TokensFrozen(user, amount);
    }

    function unfreezePartialTokens(address user, uint256 amount) external onlyAgent {
        require(getFrozenTokens[user] >= amount, "Amount should be less than or equal to frozen tokens");
        _unfreeze(user, amount);
    }

    function recoveryAddress(address lostWallet, address newWallet, address investorOnchainID)
        external
        onlyAgent
        returns (bool)
    {
        require(balanceOf[lostWallet] != 0, "no tokens to recover");
        uint256 frozenTokens = getFrozenTokens[lostWallet];
        uint256 amount = balanceOf[lostWallet];
        if (frozenTokens > 0) {
            _unfreeze(lostWallet, frozenTokens);
        }
        _move(lostWallet, newWallet, amount);
        if (frozenTokens > 0) {
            getFrozenTokens[newWallet] += frozenTokens;
            emit TokensFrozen(newWallet, frozenTokens);
        }
        if (isFrozen[lostWallet]) {
            isFrozen[newWallet] = true;
            emit AddressFrozen(newWallet, true, msg.sender);
        }
        emit RecoverySuccess(lostWallet, newWallet, investorOnchainID);
        return true;
    }

    function pause() external onlyAgent {
        require(!paused, "Pausable: paused");
        paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external onlyAgent {
        require(paused, "Pausable: not paused");
        paused = false;
        emit Unpaused(msg.sender);
    }

    // ----- internals -----

    function _checkedTransfer(address from, address to, uint256 amount) internal {
        require(!isFrozen[from] && !isFrozen[to], "wallet is frozen");
        require(amount <= balanceOf[from] - getFrozenTokens[from], "Insufficient Balance");
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) internal {
        require(to != address(0), "ERC20: transfer to the zero address");
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }

    function _unfreeze(address user, uint256 amount) internal {
        getFrozenTokens[user] -= amount;
        emit TokensUnfrozen(user, amount);
    }
}
