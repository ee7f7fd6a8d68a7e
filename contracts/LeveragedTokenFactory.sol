// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ILeveragedTokenFactory} from "./interfaces/ILeveragedTokenFactory.sol";
import {ILeveragedToken} from "./interfaces/ILeveragedToken.sol";
import {IRebalancer} from "./interfaces/IRebalancer.sol";
import {LeveragedTokenDeployer} from "./LeveragedTokenDeployer.sol";

/// @title LeveragedTokenFactory
/// @notice Creates products and registers them with the Rebalancer, so that no product can exist unmonitored.
///         After a liquidation or a wind-down a product is inactive for good: the owner (a timelock) may create a fresh
///         one under the same symbol and `productBySymbol` points at it, while the old one stays redeemable. The
///         operator creates products in one step, but only on allow-listed venues and under symbols never used.
contract LeveragedTokenFactory is ILeveragedTokenFactory, Ownable2Step {
    /// @inheritdoc ILeveragedTokenFactory
    IRebalancer public immutable override REBALANCER;
    /// @inheritdoc ILeveragedTokenFactory
    address public override treasury;
    /// @inheritdoc ILeveragedTokenFactory
    address public override operator;
    /// @inheritdoc ILeveragedTokenFactory
    mapping(address venue => bool allowed) public override isVenueAllowed;

    address[] private _products;
    mapping(bytes32 symbolHash => address token) private _bySymbol;

    constructor(IRebalancer rebalancer_, address treasury_, address owner_) Ownable(owner_) {
        if (address(rebalancer_) == address(0) || treasury_ == address(0)) revert ZeroAddress();
        REBALANCER = rebalancer_;
        treasury = treasury_;
    }

    /// @inheritdoc ILeveragedTokenFactory
    function setTreasury(address newTreasury) external override onlyOwner {
        if (newTreasury == address(0)) revert ZeroAddress();
        treasury = newTreasury;
        emit TreasurySet(newTreasury);
    }

    /// @inheritdoc ILeveragedTokenFactory
    function setOperator(address newOperator) external override onlyOwner {
        operator = newOperator;
        emit OperatorSet(newOperator);
    }

    /// @inheritdoc ILeveragedTokenFactory
    function setVenueAllowed(address venue, bool allowed) external override onlyOwner {
        if (venue == address(0)) revert ZeroAddress();
        isVenueAllowed[venue] = allowed;
        emit VenueAllowedSet(venue, allowed);
    }

    /// @inheritdoc ILeveragedTokenFactory
    function createProduct(ProductConfig calldata config) external override returns (address token) {
        bool byOwner = msg.sender == owner();
        if (!byOwner && msg.sender != operator) revert NotOwnerOrOperator(msg.sender);
        if (!isVenueAllowed[address(config.venue)]) revert VenueNotAllowed(address(config.venue));
        bytes32 key = keccak256(bytes(config.symbol));
        address existing = _bySymbol[key];
        if (existing != address(0)) {
            // A symbol is reused only once its product is dead (liquidated or wound down), and only by the owner:
            // holders find products by symbol, so pointing one at a new product waits for the timelock's delay.
            if (ILeveragedToken(existing).isActive()) revert SymbolTaken(config.symbol);
            if (!byOwner) revert SymbolReuseNeedsOwner(config.symbol);
        }

        token = LeveragedTokenDeployer.deploy(config, address(REBALANCER), owner(), treasury);
        _products.push(token);
        _bySymbol[key] = token;
        REBALANCER.register(token, config.methodology, config.bounty);
        emit ProductCreated(token, config.symbol, address(config.venue), config.isLong);
    }

    /// @inheritdoc ILeveragedTokenFactory
    function productBySymbol(string calldata symbol) external view override returns (address token) {
        token = _bySymbol[keccak256(bytes(symbol))];
        if (token == address(0)) revert UnknownSymbol(symbol);
    }

    /// @inheritdoc ILeveragedTokenFactory
    function products() external view override returns (address[] memory) {
        return _products;
    }
}
