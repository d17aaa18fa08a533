module.exports = {
  fields: [],
  cards: [],
  context: {},
};
