// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ILeveragedToken} from "../../interfaces/ILeveragedToken.sol";
import {IMockPerpVenue} from "../../venues/mock/IMockPerpVenue.sol";

/// @title ReentrantCollateral
/// @notice Test-only 6-decimal collateral whose every transfer calls back into a Ballast token or venue (as an
///         ERC-777 hook or a malicious upgrade of the stablecoin would), records the revert and goes on.
contract ReentrantCollateral is ERC20 {
    enum Reentry {
        NONE,
        TOKEN_MINT,
        TOKEN_REDEEM,
        VENUE_DEPOSIT,
        VENUE_WITHDRAW
    }

    Reentry public reentry;
    ILeveragedToken public hookToken;
    IMockPerpVenue public venue;
    uint256 public attempts;
    uint256 public successes;
    bytes public lastRevertData;
    bool private _inHook;

    constructor() ERC20("Reentrant USD", "rUSD") {}

    /// @notice Open faucet.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Chooses the call made back on every transfer; the hook holds its own collateral and approvals.
    function arm(Reentry newReentry, ILeveragedToken newTarget, IMockPerpVenue newVenue) external {
        reentry = newReentry;
        hookToken = newTarget;
        venue = newVenue;
        _mint(address(this), 1e12);
        _approve(address(this), address(newTarget), type(uint256).max);
        _approve(address(this), address(newVenue), type(uint256).max);
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (reentry == Reentry.NONE || _inHook || from == address(0)) return;
        _inHook = true;
        ++attempts;
        bool ok;
        bytes memory reason;
        if (reentry == Reentry.TOKEN_MINT) {
            try hookToken.mint(1e6, 0, address(this)) returns (uint256) {
                ok = true;
            } catch (bytes memory r) {
                reason = r;
            }
        } else if (reentry == Reentry.TOKEN_REDEEM) {
            try hookToken.redeem(1, 0, address(this)) returns (uint256) {
                ok = true;
            } catch (bytes memory r) {
                reason = r;
            }
        } else if (reentry == Reentry.VENUE_DEPOSIT) {
            try venue.deposit(1e6) {
                ok = true;
            } catch (bytes memory r) {
                reason = r;
            }
        } else {
            try venue.withdraw(1) {
                ok = true;
            } catch (bytes memory r) {
                reason = r;
            }
        }
        if (ok) ++successes;
        else lastRevertData = reason;
        _inHook = false;
    }
}
