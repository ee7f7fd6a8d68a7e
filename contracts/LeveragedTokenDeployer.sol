// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILeveragedTokenFactory} from "./interfaces/ILeveragedTokenFactory.sol";
import {LeveragedToken} from "./LeveragedToken.sol";

/// @title LeveragedTokenDeployer
/// @notice Holds LeveragedToken's creation code for the factory, so that neither contract nears the 24,576-byte
///         limit: the factory links this library and calls it by DELEGATECALL, so each token is created by the
///         factory's own address, exactly as with an inline `new`.
library LeveragedTokenDeployer {
    /// @notice Deploys a token for `config` (its methodology and bounty are the Rebalancer's business).
    /// @param rebalancer The only address allowed to change the token's leverage.
    /// @param owner The token's owner (the factory's owner).
    /// @param treasury The token's fee recipient.
    /// @return token The new token.
    function deploy(
        ILeveragedTokenFactory.ProductConfig calldata config,
        address rebalancer,
        address owner,
        address treasury
    ) external returns (address token) {
        token = address(
            new LeveragedToken(
                config.name,
                config.symbol,
                config.venue,
                rebalancer,
                config.isLong,
                owner,
                treasury,
                config.fees,
                config.equityCap
            )
        );
    }
}
