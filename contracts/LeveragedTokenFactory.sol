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
///         After a liquidation a product is inactive for good: governance creates a fresh one under the same symbol
///         and `productBySymbol` points at it, while the old one stays redeemable.
contract LeveragedTokenFactory is ILeveragedTokenFactory, Ownable2Step {
    /// @inheritdoc ILeveragedTokenFactory
    IRebalancer public immutable override REBALANCER;
    /// @inheritdoc ILeveragedTokenFactory
    address public override treasury;

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
    function createProduct(ProductConfig calldata config) external override onlyOwner returns (address token) {
        bytes32 key = keccak256(bytes(config.symbol));
        address existing = _bySymbol[key];
        // A symbol is reused only once its product is dead (liquidated or wound down).
        if (existing != address(0) && ILeveragedToken(existing).isActive()) revert SymbolTaken(config.symbol);

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
