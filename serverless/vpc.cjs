// Builds provider.vpc from the subnetIds and securityGroupIds params: both empty
// (the default) means the functions run outside any VPC.
const list = (text) =>
  String(text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

module.exports = async ({ resolveVariable }) => {
  const subnetIds = list(await resolveVariable('param:subnetIds'));
  const securityGroupIds = list(await resolveVariable('param:securityGroupIds'));
  if (subnetIds.length === 0 && securityGroupIds.length === 0) return null;
  if (subnetIds.length === 0 || securityGroupIds.length === 0) {
    throw new Error('Set both subnetIds and securityGroupIds params for a VPC, or neither');
  }
  return { subnetIds, securityGroupIds };
};
