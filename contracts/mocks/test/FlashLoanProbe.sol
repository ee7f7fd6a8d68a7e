// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice The one Aave v3 Pool entry point the probe calls (declared here: Aave's sources are not compiled here).
interface IAaveFlashLoanSimplePool {
    /// @notice Aave v3 `Pool.flashLoanSimple`.
    function flashLoanSimple(
        address receiverAddress,
        address asset,
        uint256 amount,
        bytes calldata params,
        uint16 referralCode
    ) external;
}

/// @title FlashLoanProbe
/// @notice Test-only: takes an Aave v3 simple flash loan and repays it (amount + premium) from its own balance, recording
///         what the pool lent and charged. The caller pre-funds the premium.
contract FlashLoanProbe {
    IAaveFlashLoanSimplePool public immutable POOL;

    /// @notice The amount lent by the last flash loan.
    uint256 public lastAmount;
    /// @notice The premium charged by the last flash loan.
    uint256 public lastPremium;
    /// @notice The probe's balance of the asset while it held the loan.
    uint256 public balanceDuringLoan;

    error NotPool(address caller);
    error NotSelfInitiated(address initiator);

    constructor(address pool) {
        POOL = IAaveFlashLoanSimplePool(pool);
    }

    /// @notice Borrows `amount` of `asset` for the duration of one call.
    function borrow(address asset, uint256 amount) external {
        POOL.flashLoanSimple(address(this), asset, amount, "", 0);
    }

    /// @notice Aave's IFlashLoanSimpleReceiver callback: records the loan and approves its repayment.
    function executeOperation(
        address asset,
        uint256 amount,
        uint256 premium,
        address initiator,
        bytes calldata
    ) external returns (bool) {
        if (msg.sender != address(POOL)) revert NotPool(msg.sender);
        if (initiator != address(this)) revert NotSelfInitiated(initiator);
        lastAmount = amount;
        lastPremium = premium;
        balanceDuringLoan = IERC20(asset).balanceOf(address(this));
        IERC20(asset).approve(address(POOL), amount + premium);
        return true;
    }
}
