//! Preset event packs (ERC-20, ERC-721, ERC-1155, OpenZeppelin, ERC-3643, ERC-1400) with
//! the canonical signatures from `shared/reference/token-events.md`.
//!
//! The signatures are constants; they are parsed once, on first use. A parse failure is
//! impossible by test (`every_preset_parses`) and is still returned as an error, not a panic.

use super::{signature::parse_signature, AbiError, EventDef};
use std::sync::OnceLock;

/// A named group of event signatures a listener can subscribe to as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresetPack {
    /// Id used in listener specs, e.g. `erc20`.
    pub id: &'static str,
    /// Human title, e.g. `ERC-20 token`.
    pub title: &'static str,
    /// Human-readable event signatures with parameter names.
    pub events: &'static [&'static str],
}

const ERC20_TRANSFER: &str = "Transfer(address indexed from, address indexed to, uint256 value)";
const ERC20_APPROVAL: &str =
    "Approval(address indexed owner, address indexed spender, uint256 value)";

static PACKS: &[PresetPack] = &[
    PresetPack { id: "erc20", title: "ERC-20 token", events: &[ERC20_TRANSFER, ERC20_APPROVAL] },
    PresetPack {
        id: "erc721",
        title: "ERC-721 NFT",
        events: &[
            "Transfer(address indexed from, address indexed to, uint256 indexed tokenId)",
            "Approval(address indexed owner, address indexed approved, uint256 indexed tokenId)",
            "ApprovalForAll(address indexed owner, address indexed operator, bool approved)",
        ],
    },
    PresetPack {
        id: "erc1155",
        title: "ERC-1155 multi-token",
        events: &[
            "TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)",
            "TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)",
            "ApprovalForAll(address indexed account, address indexed operator, bool approved)",
            "URI(string value, uint256 indexed id)",
        ],
    },
    PresetPack {
        id: "ownable",
        title: "Ownable (OpenZeppelin)",
        events: &["OwnershipTransferred(address indexed previousOwner, address indexed newOwner)"],
    },
    PresetPack {
        id: "access",
        title: "Access control roles (OpenZeppelin)",
        events: &[
            "RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
            "RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
            "RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)",
        ],
    },
    PresetPack {
        id: "pausable",
        title: "Pausable (OpenZeppelin)",
        events: &["Paused(address account)", "Unpaused(address account)"],
    },
    PresetPack {
        id: "proxy",
        title: "Upgradeable proxy (ERC-1967)",
        events: &[
            "Upgraded(address indexed implementation)",
            "AdminChanged(address previousAdmin, address newAdmin)",
            "BeaconUpgraded(address indexed beacon)",
        ],
    },
    PresetPack { id: "erc3643", title: "ERC-3643 (T-REX) security token suite", events: ERC3643 },
    PresetPack { id: "erc1400", title: "ERC-1400 security token family", events: ERC1400 },
];

/// Token, identity registry, trusted issuers, claim topics and compliance events.
const ERC3643: &[&str] = &[
    ERC20_TRANSFER,
    ERC20_APPROVAL,
    "UpdatedTokenInformation(string indexed _newName, string indexed _newSymbol, uint8 _newDecimals, string _newVersion, address indexed _newOnchainID)",
    "IdentityRegistryAdded(address indexed _identityRegistry)",
    "ComplianceAdded(address indexed _compliance)",
    "RecoverySuccess(address indexed _lostWallet, address indexed _newWallet, address indexed _investorOnchainID)",
    "AddressFrozen(address indexed _userAddress, bool indexed _isFrozen, address indexed _owner)",
    "TokensFrozen(address indexed _userAddress, uint256 _amount)",
    "TokensUnfrozen(address indexed _userAddress, uint256 _amount)",
    "Paused(address _userAddress)",
    "Unpaused(address _userAddress)",
    "AgentAdded(address indexed _agent)",
    "AgentRemoved(address indexed _agent)",
    "IdentityRegistered(address indexed _investorAddress, address indexed _identity)",
    "IdentityRemoved(address indexed _investorAddress, address indexed _identity)",
    "IdentityUpdated(address indexed _oldIdentity, address indexed _newIdentity)",
    "CountryUpdated(address indexed _investorAddress, uint16 indexed _country)",
    "TrustedIssuerAdded(address indexed _trustedIssuer, uint256[] _claimTopics)",
    "TrustedIssuerRemoved(address indexed _trustedIssuer)",
    "ClaimTopicsUpdated(address indexed _trustedIssuer, uint256[] _claimTopics)",
    "ClaimTopicAdded(uint256 indexed _claimTopic)",
    "ClaimTopicRemoved(uint256 indexed _claimTopic)",
    "TokenBound(address _token)",
    "TokenUnbound(address _token)",
    "ModuleAdded(address indexed _module)",
    "ModuleRemoved(address indexed _module)",
];

/// Partitions, issuance/redemption, controllers, documents and operators.
const ERC1400: &[&str] = &[
    "TransferByPartition(bytes32 indexed _fromPartition, address _operator, address indexed _from, address indexed _to, uint256 _value, bytes _data, bytes _operatorData)",
    "ChangedPartition(bytes32 indexed _fromPartition, bytes32 indexed _toPartition, uint256 _value)",
    "IssuedByPartition(bytes32 indexed _partition, address indexed _operator, address indexed _to, uint256 _value, bytes _data, bytes _operatorData)",
    "RedeemedByPartition(bytes32 indexed _partition, address indexed _operator, address indexed _from, uint256 _value, bytes _operatorData)",
    "Issued(address indexed _operator, address indexed _to, uint256 _value, bytes _data)",
    "Redeemed(address indexed _operator, address indexed _from, uint256 _value, bytes _data)",
    "ControllerTransfer(address _controller, address indexed _from, address indexed _to, uint256 _value, bytes _data, bytes _operatorData)",
    "ControllerRedemption(address _controller, address indexed _tokenHolder, uint256 _value, bytes _data, bytes _operatorData)",
    "DocumentUpdated(bytes32 indexed _name, string _uri, bytes32 _documentHash)",
    "DocumentRemoved(bytes32 indexed _name, string _uri, bytes32 _documentHash)",
    "AuthorizedOperator(address indexed _operator, address indexed _tokenHolder)",
    "RevokedOperator(address indexed _operator, address indexed _tokenHolder)",
    "AuthorizedOperatorByPartition(bytes32 indexed _partition, address indexed _operator, address indexed _tokenHolder)",
    "RevokedOperatorByPartition(bytes32 indexed _partition, address indexed _operator, address indexed _tokenHolder)",
];

/// All preset packs, in display order.
pub fn preset_packs() -> &'static [PresetPack] {
    PACKS
}

/// Looks a pack up by id (case-insensitive).
pub(crate) fn find_pack(id: &str) -> Option<(usize, &'static PresetPack)> {
    PACKS
        .iter()
        .enumerate()
        .find(|(_, p)| p.id.eq_ignore_ascii_case(id))
}

/// Comma-separated pack ids, for error messages.
pub(crate) fn pack_ids() -> String {
    PACKS.iter().map(|p| p.id).collect::<Vec<_>>().join(", ")
}

type Parsed = Result<Vec<Vec<EventDef>>, AbiError>;

fn parsed() -> &'static Parsed {
    static PARSED: OnceLock<Parsed> = OnceLock::new();
    PARSED.get_or_init(|| {
        PACKS
            .iter()
            .map(|p| p.events.iter().map(|s| parse_signature(s)).collect())
            .collect()
    })
}

/// The parsed definitions of pack `id` (case-insensitive), in pack order.
pub fn preset_defs(id: &str) -> Result<&'static [EventDef], AbiError> {
    let Some((index, _)) = find_pack(id) else {
        return Err(AbiError::UnknownPack {
            spec: id.to_string(),
            pack: id.to_string(),
            known: pack_ids(),
        });
    };
    let packs = parsed().as_ref().map_err(Clone::clone)?;
    Ok(packs.get(index).map(Vec::as_slice).unwrap_or_default())
}
